"""When did a fix become available? From data only, else unknown.

Never the identification time: a fix that existed before soupwatch first saw the finding is
dated by the data that says so. In order:

1. endoflife.date release data: the device's own patch — the nearest safe upgrade
   (:func:`soupwatch.risk.upgrade.nearest_safe_upgrade`, the same release line where there is
   one) — when it is the latest of a release cycle (``latest`` + ``latestReleaseDate``) or the
   cycle's first release (``releaseDate``) has the date that release was published (a fix on
   another line — mainline 6.10 for a 5.10 kernel — is not a patch this device can take);
2. the publication date of the vulnerability record that names the fixed version (the NVD, the
   CNA's CVE record or the OSV advisory; the earliest of them);
3. otherwise unknown, and the metrics count it as unknown.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from soupwatch.intel.interface import EolProduct
from soupwatch.model.component import Component
from soupwatch.model.vulnerability import Finding
from soupwatch.risk.support import find_product
from soupwatch.risk.upgrade import nearest_safe_upgrade


def fix_available(
    finding: Finding, component: Component, products: list[EolProduct]
) -> tuple[datetime | None, str | None]:
    """The earliest date a fixed version was published, and where that date comes from."""
    if not finding.fixed_versions:
        return None, None
    found = find_product(component, products) if products else None
    if found is not None:
        product = found[0]
        dated: list[tuple[datetime, str]] = []
        patch = nearest_safe_upgrade(component.version, finding.fixed_versions)
        own = [patch] if patch else ([] if component.version else list(finding.fixed_versions))
        for cycle in product.cycles:
            for version in own:
                if cycle.latest == version and cycle.latest_release_date:
                    day = cycle.latest_release_date
                elif version in (cycle.cycle, f"{cycle.cycle}.0") and cycle.release_date:
                    day = cycle.release_date
                else:
                    continue
                dated.append(
                    (
                        datetime.combine(day, time(), tzinfo=UTC),
                        f"endoflife.date {product.name}: {version} released {day.isoformat()}",
                    )
                )
        if dated:
            return min(dated)
    vuln = finding.vulnerability
    if vuln.published is not None:
        names = ", ".join(sorted(finding.fixed_versions)[:3])
        return vuln.published, (
            f"the {finding.match.source} record naming the fixed version ({names}), "
            f"published {vuln.published.date().isoformat()}"
        )
    return None, None

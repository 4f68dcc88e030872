"""When did a fix become available? From data only, else unknown.

Never the identification time: a fix that existed before soupwatch first saw the finding is
dated by the data that says so. In order:

1. endoflife.date release data: a fixed version *in the installed version's own release line*
   (same major.minor) that is the latest of a release cycle (``latest`` + ``latestReleaseDate``)
   or the cycle's first release (``releaseDate``) has the date that release was published (a fix
   on another line — mainline 6.10 for a 5.10 kernel — is not a patch this device can take);
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
        line = _line(component.version)
        own = [v for v in finding.fixed_versions if line is None or _line(v) == line]
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


def _line(version: str | None) -> str | None:
    """``5.10`` of ``5.10.52``: the release line a fix must be on to be this device's patch."""
    if not version:
        return None
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else parts[0]

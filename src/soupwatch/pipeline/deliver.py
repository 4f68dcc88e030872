"""Deliverables of a release, each made from its current stored assessment.

The FDA premarket package, the IEC 62304 SOUP list and the MDS2 answers read the same stored
assessment that ``assess``, the API and the dashboard read; a profile or policy given here is
recorded as the product's device context first, so no deliverable disagrees with another view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soupwatch.model.assessment import Assessment
from soupwatch.model.product import Product, Release
from soupwatch.pipeline.assessments import DeviceContext, assessment, device_context
from soupwatch.pipeline.flows import kernel_triage_summary
from soupwatch.store import inventory
from soupwatch.store.db import Store

if TYPE_CHECKING:
    from soupwatch.report.advisory import AdvisoryMeta
    from soupwatch.risk.policy import Policy
    from soupwatch.risk.profile import DeviceProfile


@dataclass(frozen=True, slots=True)
class Assessed:
    """A release, its product, its device context and its current assessment."""

    product: Product
    release: Release
    context: DeviceContext
    assessment: Assessment


def assessed_release(
    store: Store,
    product: str,
    release: str,
    *,
    now: datetime,
    profile: DeviceProfile | None = None,
    policy: Policy | None = None,
) -> Assessed:
    """Everything a deliverable is made from (profile/policy: recorded first when given)."""
    result = assessment(store, product, release, now=now, profile=profile, policy=policy)
    with store.session() as session:
        prod = inventory.get_product(session, product)
        rel = inventory.get_release(session, product, release)
    return Assessed(prod, rel, device_context(store, product), result)


def fda_package(
    store: Store,
    product: str,
    release: str,
    out: Path,
    *,
    now: datetime,
    profile: DeviceProfile | None = None,
    policy: Policy | None = None,
    pdf: bool = True,
    max_rows: int = 100,
    cadence: str | None = None,
) -> list[Path]:
    """Write the FDA premarket cybersecurity package of a release into ``out``."""
    from soupwatch.report.fda import FdaOptions, write_package
    from soupwatch.sbom import write as sbom_write

    got = assessed_release(store, product, release, now=now, profile=profile, policy=policy)
    maker = got.product.manufacturer

    def writer(release: Release, fmt: str) -> str:
        return sbom_write(release, fmt, manufacturer=maker, now=now)

    kernel = kernel_triage_summary(store, product, release)
    options = FdaOptions(now, maker, cadence, pdf=pdf, row_limit=max_rows, kernel_triage=kernel)
    return write_package(got.assessment, got.release, out, options, writer)


def soup_list(
    store: Store,
    product: str,
    release: str,
    fmt: str,
    *,
    now: datetime,
    profile: DeviceProfile | None = None,
) -> str:
    """The IEC 62304 SOUP list of a release, rendered as ``fmt`` (html, csv or json)."""
    from soupwatch.report import soup

    got = assessed_release(store, product, release, now=now, profile=profile)
    device = got.context.profile
    origin = f"device profile {device.name}" if got.context.recorded else None
    options = soup.SoupOptions(now, device.iec62304_class or None, origin)
    return soup.render(got.assessment, options, fmt)


def mds2_answers(store: Store, product: str, release: str, fmt: str, *, now: datetime) -> str:
    """The MDS2 (HN 1-2019) answers derivable from the data, rendered as ``fmt``."""
    from soupwatch.report import mds2

    got = assessed_release(store, product, release, now=now)
    return mds2.render(got.assessment, got.release, now, fmt)


def csaf_advisory(
    store: Store,
    product: str,
    vulnerability: str,
    meta: AdvisoryMeta,
    *,
    releases: list[str] | None = None,
    profile: DeviceProfile | None = None,
) -> dict[str, Any]:
    """A CSAF 2.0 security advisory about one vulnerability across the product's releases (every
    release, oldest first, by default), checked against CSAF's mandatory tests.

    ``meta.publisher`` empty: the product's manufacturer. Raises ReportError naming the first
    failing mandatory test, or a product without releases or publisher.
    """
    from dataclasses import replace

    from soupwatch.errors import ReportError
    from soupwatch.report import csaf_checks
    from soupwatch.report.advisory import build_advisory

    with store.session() as session:
        versions = releases or inventory.list_releases(session, product)
    got = [assessed_release(store, product, r, now=meta.now, profile=profile) for r in versions]
    if not got:
        raise ReportError(f"product {product!r} has no releases")
    publisher = meta.publisher or got[0].product.manufacturer
    if not publisher:
        raise ReportError("the product has no manufacturer recorded; give --publisher")
    namespace = meta.namespace or (
        "https://" + "".join(ch if ch.isalnum() else "-" for ch in publisher.lower()) + ".invalid"
    )
    meta = replace(meta, publisher=publisher, namespace=namespace)
    doc = build_advisory(product, vulnerability, [g.assessment for g in got], meta)
    failures = csaf_checks.check(doc)
    if failures:
        f = failures[0]
        raise ReportError(f"CSAF mandatory test {f.test} fails: {f.message}", where=f.path)
    return doc

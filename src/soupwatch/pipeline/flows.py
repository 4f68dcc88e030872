"""Flows of the main job: read or discover a target, store it, sync, scan, triage, assess, report.

Each function is one or a few transactions and leaves the store consistent when it fails half
way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soupwatch.errors import ConfigError, FeedUnavailable, SbomFormatError
from soupwatch.model import Product, Release, SbomDocument
from soupwatch.model.product import SBOM_AUTHOR
from soupwatch.model.status import ReleaseCounts
from soupwatch.store.db import Store

if TYPE_CHECKING:
    from soupwatch.intel.interface import ProgressCallback
    from soupwatch.intel.status import FeedStatus
    from soupwatch.intel.sync import SyncOutcome
    from soupwatch.match.interface import CompiledRecords
    from soupwatch.match.matcher import MatchResult
    from soupwatch.model.assessment import Assessment
    from soupwatch.model.triage import KernelTriageSummary
    from soupwatch.risk.policy import Policy
    from soupwatch.risk.profile import DeviceProfile
    from soupwatch.triage.kbuild import KbuildMap
    from soupwatch.triage.kernel import KernelTriage

Step = Callable[[str], None]
"""Told the name of each step as the main job reaches it."""

SBOM_SUFFIXES = frozenset({".json", ".xml", ".spdx", ".yaml", ".yml", ".rdf", ".ttl", ".jsonld"})
"""A file with one of these endings that does not read as an SBOM is an error, not an artifact."""


def load_target(path: Path, *, progress: Callable[[str, int], None] | None = None) -> SbomDocument:
    """An SBOM file is read; anything else (folder, archive, image, binary) is discovered."""
    from soupwatch.discover import discover_path
    from soupwatch.sbom import read

    if path.is_file():
        try:
            return read(path)
        except SbomFormatError:
            if path.suffix.lower() in SBOM_SUFFIXES:
                raise
    return discover_path(path, progress=progress)


def store_document(
    store: Store,
    doc: SbomDocument,
    product: str,
    release: str,
    *,
    source: str,
    manufacturer: str | None = None,
    device_class: str | None = None,
    now: datetime | None = None,
    actor: str | None = None,
) -> int:
    """Store a read or discovered document as a release (re-import replaces it atomically);
    returns the release id. With ``actor``, the import is entered in the audit trail
    (``sbom.upload``) in the same transaction."""
    from soupwatch.store import inventory
    from soupwatch.vex import audit

    for what, value, most in (
        ("product name", product, 255),
        ("release", release, 255),
        ("manufacturer", manufacturer, 255),
        ("device class", device_class, 64),
    ):
        if value is not None and (len(value) > most or not value.strip()):
            raise ConfigError(
                f"a {what} has 1 to {most} characters, not {len(value.strip())}", where=what
            )
    rel = Release(
        product=product,
        version=release,
        components=doc.components,
        imported_at=now,
        source=source,
        sbom_format=f"{doc.format} {doc.spec_version}",
        metadata_component=doc.metadata_component,
        properties=(
            *((SBOM_AUTHOR, a) for a in doc.authors),
            *(("soupwatch:import:warning", w) for w in doc.warnings[:1000]),
        ),
    )
    with store.session() as session:
        rid = inventory.save_release(
            session, Product(product, manufacturer=manufacturer, device_class=device_class), rel
        )
        if actor is not None:
            stored = {
                "source": source,
                "format": rel.sbom_format,
                "components": len(rel.components),
            }
            audit.append(
                session,
                actor,
                "sbom.upload",
                f"release:{product}/{release}",
                None,
                stored,
                "SBOM upload",
                now or datetime.now(UTC),
            )
        return rid


def sync_feeds(
    store: Store,
    *,
    mirror: Path | None = None,
    sources: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    api_key: str | None = None,
    retries: int | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SyncOutcome:
    """Sync vulnerability feeds from a mirror directory (or the public endpoints).

    ``api_key`` (NVD), ``retries`` (per HTTP request) and ``clock`` (the sync's time) tune the
    feed source; by default a mirror given here, else ``SOUPWATCH_MIRROR``, else HTTP.
    """
    from soupwatch.intel.source import FeedSource
    from soupwatch.intel.sync import sync_all

    if api_key is None and retries is None and clock is None:
        return sync_all(store, mirror=mirror, sources=sources, progress=progress)
    source = FeedSource(mirror=mirror, api_key=api_key)
    if retries is not None:
        source = replace(source, retries=retries)
    if clock is not None:
        source = replace(source, clock=clock)
    return sync_all(store, sources=sources, progress=progress, source=source)


def feed_status(store: Store, now: datetime) -> list[FeedStatus]:
    """Per feed: records, newest record, last sync, data age, warnings, last error."""
    from soupwatch.intel.status import feed_status as status
    from soupwatch.intel.sync import feed_names

    return status(store, feed_names(), now)


def incomplete_feeds(store: Store) -> list[str]:
    """One line per feed whose newest sync was interrupted or failed, sorted by feed.

    ``incomplete: nvd sync interrupted at 2026-12-04 20:31:07Z``: what ``scan``, ``assess``,
    ``db status`` and the API warn with until a sync of that feed completes.
    """
    from soupwatch.store.intel_query import StoreIntelQuery

    with store.session() as session:
        states = StoreIntelQuery(session).feed_states()
    return [s.incomplete for s in states if s.incomplete]


def require_records(store: Store, outcome: SyncOutcome | None = None) -> None:
    """Stop before matching when the store holds no vulnerability record at all (never
    synced, every feed of records failed, or an empty mirror): "0 findings" would read as
    "nothing known against it" when nothing was known. ``outcome``: the sync just run, whose
    first reasons the error quotes."""
    from soupwatch.intel.sync import RECORD_FEEDS
    from soupwatch.store.intel_query import StoreIntelQuery

    with store.session() as session:
        states = [s for s in StoreIntelQuery(session).snapshot() if s.source in RECORD_FEEDS]
    # an interrupted sync keeps what it stored (and is warned about as incomplete)
    if any(s.records or s.incomplete for s in states):
        return
    failures = outcome.failures if outcome else ()
    results = outcome.results if outcome else ()
    said = [f"{name}: {message}" for name, message in failures]
    said += [f"{r.source}: {r.warnings[0]}" for r in results if r.warnings]
    why = "; ".join(said[:2]) + (f" (and {len(said) - 2} more)" if len(said) > 2 else "")
    raise FeedUnavailable(
        f"no vulnerability records: none of {', '.join(RECORD_FEEDS)} holds any"
        + (f" ({why})" if why else "")
        + "; nothing was matched or assessed. Sync first: soupwatch db update, with network"
        " access or a feed mirror (--mirror DIR, SOUPWATCH_MIRROR)"
    )


def unsynced_feeds(store: Store) -> list[str]:
    """Feeds that have never been synced into this store."""
    from soupwatch.intel.sync import feed_names
    from soupwatch.store.intel_query import StoreIntelQuery

    with store.session() as session:
        synced = {s.source for s in StoreIntelQuery(session).snapshot() if s.last_sync}
    return [name for name in feed_names() if name not in synced]


def match_document(store: Store, doc: SbomDocument) -> MatchResult:
    """Match a document's components against the stored intelligence (nothing is written)."""
    from soupwatch.match.matcher import MatchContext, match_components
    from soupwatch.store.intel_query import StoreIntelQuery

    with store.session() as session:
        return match_components(
            doc.components,
            StoreIntelQuery(session),
            context=MatchContext.for_components(doc.components),
        )


def scan_release(
    store: Store,
    product: str,
    release: str,
    *,
    now: datetime | None = None,
    compiled: CompiledRecords | None = None,
) -> MatchResult:
    """Match a stored release and store its findings (lifecycle kept), in one transaction.

    ``compiled``: records compiled by earlier scans of the same job (a portfolio re-scan).
    """
    now = now or datetime.now(UTC)
    from soupwatch.match.matcher import MatchContext, match_components
    from soupwatch.store import inventory
    from soupwatch.store.assessments import save_scan
    from soupwatch.store.finding_tables import save_findings
    from soupwatch.store.intel_query import StoreIntelQuery

    with store.session() as session:
        rel = inventory.get_release(session, product, release)
        result = match_components(
            rel.components,
            StoreIntelQuery(session),
            context=MatchContext.for_components(rel.components),
            compiled=compiled,
        )
        save_findings(session, product, release, result.findings, now)
        skipped = [
            (s.component.ref, display_name(s.component.name, s.component.version), s.reason)
            for s in result.skipped
        ]
        save_scan(session, inventory.release_id(session, product, release), now, skipped)
    return result


def display_name(name: str, version: str | None) -> str:
    """A component as a scan lists it: ``name version``, or the name alone."""
    return f"{name} {version}" if version else name


@dataclass(frozen=True, slots=True)
class KernelTriageOutcome:
    """Per kernel finding: built / not built / unknown, the decisions recorded, and the
    summary (which map judged, of which series and origin, against which device kernel)."""

    results: tuple[KernelTriage, ...]
    recorded: int
    config_complete: bool
    kbuild_map: KbuildMap
    summary: KernelTriageSummary


def triage_kernel(
    store: Store,
    product: str,
    release: str,
    config: Path,
    *,
    now: datetime,
    source: Path | None = None,
    complete: bool | None = None,
    apply: bool = False,
    author: str = "soupwatch kernel-config triage",
) -> KernelTriageOutcome:
    """Judge a release's kernel findings against the device's kernel ``.config``.

    ``source``: the device's kernel tree (directory or tarball) to build the Kbuild map from;
    without it, the bundled map of the device kernel's series (or the closest) is the fallback.
    With ``apply``, each not-built finding without a human decision gets an audited
    not_affected / code_not_present decision (scope: this release) whose detail is the
    evidence and names the map; an earlier triage's not_affected that this run does not
    confirm goes back to in_triage; the summary is stored for reports. Otherwise nothing is
    written.
    """
    from soupwatch.store.triage_tables import save_kernel_triage
    from soupwatch.triage.kbuild import load_bundled, map_from_source, series
    from soupwatch.triage.kconfig import load_config
    from soupwatch.triage.kernel import (
        apply_not_built,
        config_kernel_version,
        device_kernel,
        open_kernel_findings,
        summarize,
        triage_release,
        withdraw_unsupported,
    )

    kconfig = load_config(config, complete=complete)
    built = map_from_source(source) if source is not None else None  # fails before any write
    with store.session() as session:
        findings = open_kernel_findings(session, product, release)
        device = device_kernel(findings, config_kernel_version(config))
        kmap = built or load_bundled(series(device[0]))
        results = triage_release(session, product, release, kmap, kconfig, now, findings)
        summary = summarize(results, kmap, kconfig, device, now=now)
        if apply:
            saved = apply_not_built(
                session, product, release, results,
                author=author, now=now, judged_by=summary.judged_by,
            )  # fmt: skip
            withdrawn = withdraw_unsupported(
                session, product, release, results,
                author=author, now=now, judged_by=summary.judged_by,
            )  # fmt: skip
            summary = replace(summary, recorded=len(saved), withdrawn=len(withdrawn))
            save_kernel_triage(session, product, release, summary, now)
    return KernelTriageOutcome(tuple(results), summary.recorded, kconfig.complete, kmap, summary)


def kernel_triage_summary(store: Store, product: str, release: str) -> KernelTriageSummary | None:
    """The release's latest applied kernel triage summary (for reports), or None."""
    from soupwatch.store.triage_tables import load_kernel_triage

    with store.session() as session:
        return load_kernel_triage(session, product, release)


def assess(
    store: Store,
    product: str,
    release: str,
    profile: DeviceProfile,
    *,
    now: datetime,
    policy: Policy | None = None,
) -> Assessment:
    """Record the device context and return the release's current (stored) assessment."""
    from soupwatch.pipeline.assessments import assessment

    return assessment(store, product, release, now=now, profile=profile, policy=policy)


@dataclass(frozen=True, slots=True)
class MainJobResult:
    """What the main job did and where its package is."""

    product: str
    release: str
    counts: ReleaseCounts
    synced: tuple[str, ...]
    report_dir: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()
    """What the data could not say and what awaits a person (printed under the headline)."""
    kernel_triage: KernelTriageSummary | None = None
    """Which Kbuild map judged the kernel findings, and what it decided (with a kernel config)."""


def run_main_job(
    store: Store,
    *,
    target: Path,
    profile_path: Path,
    policy_path: Path | None = None,
    product: str,
    release: str,
    out: Path,
    mirror: Path | None = None,
    refresh: bool = False,
    pdf: bool = True,
    kernel_config: Path | None = None,
    now: datetime | None = None,
    step: Step | None = None,
    sync_progress: ProgressCallback | None = None,
    discover_progress: Callable[[str, int], None] | None = None,
) -> MainJobResult:
    """Artifact or SBOM → release → (feeds) → findings → (kernel triage) → assessment → package.

    ``kernel_config``: the device kernel's ``.config``; kernel findings in code it does not
    build are recorded as not_affected / code_not_present, with the evidence, audited.
    """
    from soupwatch.pipeline.deliver import fda_package
    from soupwatch.risk.policy import load_policy
    from soupwatch.risk.profile import load_profile

    now = now or datetime.now(UTC)
    tell: Step = step or (lambda _: None)
    profile = load_profile(profile_path)  # a bad profile fails before anything is written
    policy = load_policy(policy_path)  # and so does a bad policy
    tell(f"reading {target.name}")
    doc = load_target(target, progress=discover_progress)
    store_document(store, doc, product, release, source=str(target), now=now)
    todo = None if refresh else unsynced_feeds(store)
    synced: tuple[str, ...] = ()
    outcome = None
    if todo is None or todo:
        which = ", ".join(todo) if todo else "every feed"
        where = (
            f" from {mirror}"
            if mirror
            else " from the public feeds over HTTPS (no mirror given: SOUPWATCH_MIRROR names one)"
        )
        tell(f"syncing vulnerability feeds ({which}){where}")
        outcome = sync_feeds(store, mirror=mirror, sources=todo, progress=sync_progress)
        synced = tuple(r.source for r in outcome.results)
    # also when nothing was due: an earlier sync of an empty mirror leaves feeds synced, empty
    require_records(store, outcome)
    tell("matching components to vulnerabilities")
    scan_release(store, product, release, now=now)
    kernel = None
    if kernel_config is not None:
        tell(f"triaging kernel findings against {kernel_config.name}")
        kernel = triage_kernel(store, product, release, kernel_config, now=now, apply=True)
    tell("assessing risk in the device's context")
    assessment = assess(store, product, release, profile, now=now, policy=policy)
    tell("writing the FDA premarket cybersecurity package")
    files = fda_package(store, product, release, out, now=now, pdf=pdf)
    from soupwatch.report import notes

    return MainJobResult(
        product=product,
        release=release,
        counts=assessment.counts,
        synced=synced,
        report_dir=out,
        files=tuple(files),
        notes=tuple(notes(assessment)),
        kernel_triage=kernel.summary if kernel else None,
    )

"""Kernel-config triage of a release's kernel findings, and the VEX decisions it suggests.

For each Linux kernel finding, the kernel CNA's ``programFiles`` (every ``affected`` item of
the CVE JSON 5 record) are checked against the device's ``.config`` through the Kbuild map
(:mod:`soupwatch.triage.evaluate`). Not-built findings can be recorded as ``not_affected`` /
``code_not_present`` at release scope, audited, in one transaction; findings that already
carry a decision by someone else are left alone.

The device kernel's version (the SBOM's kernel component, else the ``.config`` header) is
compared with the map's series; :func:`summarize` says loudly when they differ.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from soupwatch.intel.interface import IntelQuery
from soupwatch.model import Finding
from soupwatch.model.triage import KernelTriageSummary, MapOrigin
from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
from soupwatch.store.db import Session
from soupwatch.store.finding_tables import load_findings
from soupwatch.store.intel_query import StoreIntelQuery
from soupwatch.triage.evaluate import BuildVerdict, FileVerdict, evaluate_files, program_files
from soupwatch.triage.kbuild import KbuildMap, series
from soupwatch.triage.kconfig import KernelConfig
from soupwatch.vex.decisions import decisions_for, set_decision

REASON = "kernel config triage"
DETAIL_PREFIX = "Kernel config triage: "
_KERNEL_NAMES = {"linux", "linux-kernel", "linux_kernel", "kernel", "linux-yocto"}
_HEADER = re.compile(r"^#\s*Linux/\S+\s+(\S+)\s+Kernel Configuration\s*$", re.M)


@dataclass(frozen=True, slots=True)
class KernelTriage:
    """The verdict on one kernel finding and why."""

    vuln_id: str
    component_ref: str
    component_name: str
    component_version: str | None
    verdict: BuildVerdict
    files: tuple[FileVerdict, ...]
    reason: str
    existing: str | None = None
    """A decision already recorded for the finding (state), which --apply leaves alone."""
    earlier: str | None = None
    """The state an earlier kernel-config triage recorded for the finding, if any."""

    @property
    def not_in_map(self) -> bool:
        """Unknown because a program file has no rule in the map (of maybe another series)."""
        return self.verdict is BuildVerdict.UNKNOWN and any(f.not_in_map for f in self.files)

    @property
    def evidence(self) -> str:
        """The evidence in one paragraph (the VEX detail for not-built findings)."""
        if not self.files:
            return self.reason
        if self.verdict is BuildVerdict.NOT_BUILT:
            return " ".join(f.evidence + "." for f in self.files)
        deciding = [f for f in self.files if f.verdict is self.verdict] or list(self.files)
        return " ".join(f.evidence + "." for f in deciding)


def is_kernel(f: Finding) -> bool:
    """True for a finding on the Linux kernel (name, purl or CPE)."""
    name = f.component_name.lower()
    purl_name = (f.purl or "").split("?", 1)[0].split("@", 1)[0].rsplit("/", 1)[-1].lower()
    return (
        name in _KERNEL_NAMES
        or purl_name in _KERNEL_NAMES
        or ":linux:linux_kernel:" in (f.cpe or "").lower()
    )


def program_files_by_id(query: IntelQuery) -> dict[str, list[str]]:
    """Each kernel CVE's ``programFiles`` (union over its CNA ``affected`` items), by id."""
    items: dict[str, list[object]] = {}
    for cand in query.cna_candidates(["linux"]).get("linux", []):
        items.setdefault(cand.vuln_id.upper(), []).append(dict(cand.affected))
    return {vid: program_files(affected) for vid, affected in items.items()}


def triage_findings(
    findings: Iterable[Finding],
    files_by_id: dict[str, list[str]],
    kmap: KbuildMap,
    config: KernelConfig,
) -> list[KernelTriage]:
    """Verdicts for the kernel findings among ``findings``, sorted by id and component."""
    out: list[KernelTriage] = []
    for f in findings:
        if not is_kernel(f):
            continue
        ids = [f.vulnerability.id, *f.vulnerability.aliases]
        files = next((files_by_id[i.upper()] for i in ids if i.upper() in files_by_id), None)
        if files is None:
            reason = "no kernel CNA record (CVE JSON 5) in the intelligence store"
        elif not files:
            reason = "the kernel CNA record lists no programFiles"
        else:
            reason = ""
        verdict, verdicts = evaluate_files(files or [], kmap, config)
        out.append(
            KernelTriage(
                vuln_id=f.vulnerability.id,
                component_ref=str(f.component_ref),
                component_name=f.component_name,
                component_version=f.component_version,
                verdict=verdict,
                files=verdicts,
                reason=reason,
            )
        )
    return sorted(out, key=lambda t: (t.vuln_id, t.component_ref))


def open_kernel_findings(session: Session, product: str, release: str) -> list[Finding]:
    """A stored release's open findings on the Linux kernel."""
    return [
        sf.finding
        for sf in load_findings(session, product, release)
        if sf.is_open and is_kernel(sf.finding)
    ]


def config_kernel_version(path: Path) -> str | None:
    """The version in Kconfig's ``# Linux/arm 5.10.52 Kernel Configuration`` header, if any."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            return header_kernel_version(fh.read(4096))
    except OSError:
        return None


def header_kernel_version(text: str) -> str | None:
    """The kernel version in a ``.config`` text's Kconfig header (first 4 KB), if any."""
    match = _HEADER.search(text[:4096])
    return match.group(1) if match else None


def device_kernel(
    findings: Iterable[Finding], config_version: str | None
) -> tuple[str | None, str | None]:
    """(version, where it came from): the SBOM's kernel component, else the config header."""
    versions = Counter(
        (f.component_name, f.component_version)
        for f in findings
        if is_kernel(f) and f.component_version
    )
    if versions:
        (name, version), _ = sorted(versions.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return version, f"SBOM component {name} {version}"
    if config_version:
        return config_version, "the .config header"
    return None, None


def triage_release(
    session: Session, product: str, release: str, kmap: KbuildMap, config: KernelConfig,
    now: datetime, findings: Sequence[Finding] | None = None,
) -> list[KernelTriage]:  # fmt: skip
    """Verdicts for a stored release's open kernel findings, with any decision already made.

    ``findings``: the release's open kernel findings when the caller has read them already.
    """
    stored = (
        list(findings) if findings is not None else open_kernel_findings(session, product, release)
    )
    files = program_files_by_id(StoreIntelQuery(session))
    results = triage_findings(stored, files, kmap, config)
    lookup = decisions_for(session, product, release, stored, now)
    marked: list[KernelTriage] = []
    for t in results:
        d = lookup.get(t.component_ref, t.vuln_id)
        ours = d is not None and (d.statement.detail or "").startswith(DETAIL_PREFIX)
        existing = None if d is None or ours else d.statement.state.value
        earlier = d.statement.state.value if d is not None and ours else None
        marked.append(replace(t, existing=existing, earlier=earlier))
    return marked


def apply_not_built(
    session: Session, product: str, release: str, results: Sequence[KernelTriage], *,
    author: str, now: datetime, judged_by: str,
) -> list[VexStatement]:  # fmt: skip
    """Record not_affected / code_not_present for each not-built finding without a decision.

    ``judged_by`` (the summary's :attr:`~KernelTriageSummary.judged_by`) ends each detail, so
    the decision names the map's series and where it came from.
    """
    saved: list[VexStatement] = []
    for t in results:
        if t.verdict is not BuildVerdict.NOT_BUILT or t.existing is not None:
            continue
        statement = VexStatement(
            vulnerability=t.vuln_id,
            state=VexState.NOT_AFFECTED,
            scope=VexScope.RELEASE,
            product=product,
            release=release,
            component_name=t.component_name,
            component_version=t.component_version,
            justification=VexJustification.CODE_NOT_PRESENT,
            detail=f"{DETAIL_PREFIX}{t.evidence} Judged with the {judged_by}.",
            author=author,
        )
        saved.append(set_decision(session, statement, actor=author, reason=REASON, now=now))
    return saved


def withdraw_unsupported(
    session: Session, product: str, release: str, results: Sequence[KernelTriage], *,
    author: str, now: datetime, judged_by: str,
) -> list[VexStatement]:  # fmt: skip
    """Put back in triage each not_affected an earlier kernel triage recorded that this run
    no longer finds not built (another map or config), with the new evidence; audited."""
    saved: list[VexStatement] = []
    for t in results:
        if t.verdict is BuildVerdict.NOT_BUILT or t.earlier != VexState.NOT_AFFECTED.value:
            continue
        statement = VexStatement(
            vulnerability=t.vuln_id,
            state=VexState.IN_TRIAGE,
            scope=VexScope.RELEASE,
            product=product,
            release=release,
            component_name=t.component_name,
            component_version=t.component_version,
            detail=(
                f"{DETAIL_PREFIX}not_affected withdrawn, now {t.verdict.value}: {t.evidence} "
                f"Judged with the {judged_by}."
            ),
            author=author,
        )
        saved.append(set_decision(session, statement, actor=author, reason=REASON, now=now))
    return saved


def counts(results: Iterable[KernelTriage]) -> dict[str, int]:
    """How many findings per verdict (every verdict present, zero included)."""
    c = Counter(t.verdict for t in results)
    return {v.value: c.get(v, 0) for v in BuildVerdict}


def summarize(
    results: Sequence[KernelTriage],
    kmap: KbuildMap,
    config: KernelConfig,
    device: tuple[str | None, str | None],
    *,
    recorded: int = 0,
    now: datetime | None = None,
) -> KernelTriageSummary:
    """The run's summary; a device kernel of another series than the map's gets a warning."""
    version, source = device
    device_series = series(version)
    mismatch = device_series is not None and device_series != kmap.series
    unknown_absent = sum(1 for t in results if t.not_in_map)
    warning = None
    if mismatch:
        fix = (
            "give the device's own kernel tree with --source"
            if kmap.origin is MapOrigin.BUNDLED
            else "give the tree the device's kernel was built from"
        )
        warning = (
            f"the device kernel is {version} ({source}), series {device_series}, but the Kbuild "
            f"map is of linux {kmap.series} ({kmap.kernel}, {kmap.origin.value}): "
            f"{unknown_absent} findings are unknown because a file is not in that map; {fix}"
        )
    return KernelTriageSummary(
        config=config.path,
        config_complete=config.complete,
        map_kernel=kmap.kernel,
        map_series=kmap.series,
        map_source=kmap.source,
        map_origin=kmap.origin,
        device_kernel=version,
        device_kernel_from=source,
        series_mismatch=mismatch,
        counts=counts(results),
        not_in_map=unknown_absent,
        recorded=recorded,
        made_at=now,
        warning=warning,
    )

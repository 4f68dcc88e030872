"""Repository of stored assessments: scan stamps, device contexts, assessments and their findings.

The fingerprint inputs are read here in a few queries for any number of releases (the
portfolio page asks for hundreds at once); the fingerprint itself is computed by the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from soupwatch.intel.records import as_utc
from soupwatch.model.assessment import (
    NAMELESS,
    AssessedComponent,
    AssessedFinding,
    Assessment,
    DataSnapshot,
    RubricAnswer,
)
from soupwatch.model.codec import decode, encode
from soupwatch.model.status import FindingFilter
from soupwatch.model.vex import VexStatement
from soupwatch.model.vulnerability import Vulnerability
from soupwatch.risk.assess import priority_score, vulnerabilities_by_component
from soupwatch.store.assessment_tables import (
    AssessedFindingRow,
    AssessedSupportRow,
    AssessmentPartRow,
    AssessmentRow,
    DeviceContextRow,
    ReleaseScanRow,
)
from soupwatch.store.intel_tables import IntelFeedStateRow
from soupwatch.store.locks import ASSESSMENTS, insert_missing, write_lock, write_locks
from soupwatch.store.tables import ProductRow, ReleaseRow
from soupwatch.store.vex_tables import AuditEntryRow


def _iso(value: datetime | None) -> str:
    aware = as_utc(value)
    return aware.isoformat() if aware else "never"


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def pack(data: Any, dictionary: bytes = b"") -> bytes:
    """Compressed JSON (the bodies of stored assessments), with an optional preset dictionary."""
    packer = zlib.compressobj(6, zdict=dictionary) if dictionary else zlib.compressobj(6)
    return packer.compress(_json(data)) + packer.flush()


def unpack(blob: bytes, dictionary: bytes = b"") -> Any:
    """The JSON that :func:`pack` stored."""
    unpacker = zlib.decompressobj(zdict=dictionary) if dictionary else zlib.decompressobj()
    return json.loads(unpacker.decompress(blob) + unpacker.flush())


DICTIONARY_BYTES = 32 * 1024
"""zlib's largest useful preset dictionary."""


def _dictionary(bodies: list[dict[str, Any]]) -> bytes:
    """A preset dictionary from the release's own findings: spread samples, most common last."""
    if not bodies:
        return b""
    step = max(1, len(bodies) // 12)
    sample = b"".join(_json(b) for b in bodies[::step][:12])
    return sample[-DICTIONARY_BYTES:]


# --- scan stamps -------------------------------------------------------------------------


PARTIAL_KEPT = 64
"""Partial re-matches remembered per release (older ones: assessments made before them are
recomputed in full)."""


def save_scan(
    session: Session,
    release_id: int,
    scanned_at: datetime,
    skipped: Sequence[Sequence[str]],
    *,
    partial_from: int | None = None,
) -> None:
    """Record that a release was matched now, and which components could not be judged.

    Each call counts one more write of the release's findings (``findings_seq``).
    ``partial_from``: the match covered only what the feeds changed after that change (an
    incremental watch), so the findings of other vulnerabilities stayed as they were; None:
    a full scan.
    """
    save_scans(session, {release_id: skipped}, scanned_at, partial_from=partial_from)


def save_scans(
    session: Session,
    skipped: Mapping[int, Sequence[Sequence[str]]],
    scanned_at: datetime,
    *,
    partial_from: int | None = None,
) -> None:
    """:func:`save_scan` of many releases (release id → its skipped components), their scan
    rows read and locked in one statement."""
    rows: dict[int, ReleaseScanRow] = {}
    for part in _chunks(skipped):
        rows.update(
            (r.release_id, r)
            for r in session.scalars(
                select(ReleaseScanRow)
                .where(ReleaseScanRow.release_id.in_(part))
                .order_by(ReleaseScanRow.release_id)
                .with_for_update()
            )
        )
    for rid in sorted(skipped):
        row = rows.get(rid)
        if row is None:
            row = ReleaseScanRow(release_id=rid, findings_seq=0, partial=[])
            session.add(row)
        seq = (row.findings_seq or 0) + 1
        row.findings_seq = seq
        if partial_from is None:
            row.partial = []
        else:
            row.partial = [*(row.partial or []), [seq, partial_from]][-PARTIAL_KEPT:]
        row.scanned_at = scanned_at
        row.skipped = [list(s) for s in skipped[rid]]


@dataclass(frozen=True, slots=True)
class ScanMarks:
    """How often a release's findings were written, and which writes were partial."""

    findings_seq: int
    partial: dict[int, int]
    """findings_seq → the feed change after which that partial re-match's changes start."""


def scan_marks(session: Session, release_id: int) -> ScanMarks:
    """The release's :class:`ScanMarks` (never scanned: sequence 0)."""
    return scan_marks_by_release(session, [release_id])[release_id]


def scan_marks_by_release(session: Session, release_ids: Iterable[int]) -> dict[int, ScanMarks]:
    """:func:`scan_marks` of many releases, in one query per 1,000."""
    out = {rid: ScanMarks(0, {}) for rid in release_ids}
    cols = (ReleaseScanRow.release_id, ReleaseScanRow.findings_seq, ReleaseScanRow.partial)
    for part in _chunks(out):
        for rid, seq, partial in session.execute(
            select(*cols).where(ReleaseScanRow.release_id.in_(part))
        ):
            out[rid] = ScanMarks(seq or 0, {int(q): int(m) for q, m in partial or ()})
    return out


def skipped_of(session: Session, release_id: int) -> list[tuple[str, str, str]]:
    """(component ref, display name, reason) of the release's last scan (empty: not scanned)."""
    return skipped_by_release(session, [release_id])[release_id]


def skipped_by_release(
    session: Session, release_ids: Iterable[int]
) -> dict[int, list[tuple[str, str, str]]]:
    """:func:`skipped_of` of many releases, in one query per 1,000."""
    out: dict[int, list[tuple[str, str, str]]] = {rid: [] for rid in release_ids}
    cols = (ReleaseScanRow.release_id, ReleaseScanRow.skipped)
    for part in _chunks(out):
        for rid, skipped in session.execute(
            select(*cols).where(ReleaseScanRow.release_id.in_(part))
        ):
            out[rid] = [(x[0], x[1], x[2]) for x in skipped or ()]
    return out


def _chunks(ids: Iterable[int], size: int = 1000) -> Iterator[list[int]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


# --- device contexts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredContext:
    """A product's recorded profile and policy (codec JSON), with their fingerprint."""

    profile: dict[str, Any]
    policy: dict[str, Any]
    fingerprint: str
    recorded_at: datetime
    recorded_by: str


def save_context(
    session: Session,
    product_id: int,
    profile: dict[str, Any],
    policy: dict[str, Any],
    *,
    fingerprint: str,
    now: datetime,
    actor: str,
) -> bool:
    """Record a product's device context; False when the same one is already recorded."""
    row = session.get(DeviceContextRow, product_id)
    if row is not None and row.fingerprint == fingerprint:
        return False
    if row is None:
        row = DeviceContextRow(product_id=product_id)
        session.add(row)
    row.profile, row.policy, row.fingerprint = profile, policy, fingerprint
    row.recorded_at, row.recorded_by = now, actor
    return True


def contexts(session: Session, product_ids: Iterable[int]) -> dict[int, StoredContext]:
    """The recorded device contexts of these products."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = session.scalars(select(DeviceContextRow).where(DeviceContextRow.product_id.in_(ids)))
    return {
        r.product_id: StoredContext(
            r.profile,
            r.policy,
            r.fingerprint,
            as_utc(r.recorded_at) or r.recorded_at,
            r.recorded_by,
        )
        for r in rows
    }


def context_fingerprints(session: Session, product_ids: Iterable[int]) -> dict[int, str]:
    """The fingerprints of these products' recorded device contexts (not the contexts: the
    staleness check needs no more)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(DeviceContextRow.product_id, DeviceContextRow.fingerprint).where(
            DeviceContextRow.product_id.in_(ids)
        )
    )
    return {pid: fp for pid, fp in rows}


# --- fingerprint inputs --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseStamp:
    """What identifies the state of one release's own inputs."""

    product: str
    release: str
    product_id: int
    release_id: int
    imported_at: datetime | None
    scanned_at: datetime | None
    findings_seq: int = 0
    """Bumped by every write of the release's findings (``release_scans.findings_seq``)."""


def release_stamps(
    session: Session, product: str | None = None, release: str | None = None
) -> list[ReleaseStamp]:
    """Every release (of one product, or one release of it) with its import and scan times."""
    query = (
        select(
            ProductRow.name,
            ReleaseRow.version,
            ProductRow.id,
            ReleaseRow.id,
            ReleaseRow.imported_at,
            ReleaseScanRow.scanned_at,
            ReleaseScanRow.findings_seq,
        )
        .join(ReleaseRow, ReleaseRow.product_id == ProductRow.id)
        .outerjoin(ReleaseScanRow, ReleaseScanRow.release_id == ReleaseRow.id)
        .order_by(ProductRow.name, ReleaseRow.id)
    )
    if product is not None:
        query = query.where(ProductRow.name == product)
    if release is not None:
        query = query.where(ReleaseRow.version == release)
    return [
        ReleaseStamp(p, v, pid, rid, as_utc(imported), as_utc(scanned), seq or 0)
        for p, v, pid, rid, imported, scanned, seq in session.execute(query)
    ]


def feed_stamp(session: Session) -> dict[str, str]:
    """Each feed's last sync (every release's assessment depends on all of them)."""
    feeds = session.execute(
        select(IntelFeedStateRow.source, IntelFeedStateRow.last_sync).order_by(
            IntelFeedStateRow.source
        )
    ).all()
    return {f"feed:{source}": _iso(s) for source, s in feeds}


def audit_heads(
    session: Session,
    *,
    skip_prefixes: Sequence[str] = (),
    skip_actions: Sequence[str] = (),
) -> list[tuple[str, int]]:
    """(subject, newest entry) of the audit trail: every human decision (VEX, rubric answer,
    support override) appends an entry naming its subject. Entries whose subject starts with
    one of ``skip_prefixes``, or whose action is one of ``skip_actions``, are left out."""
    query = select(AuditEntryRow.subject, func.max(AuditEntryRow.seq))
    for prefix in skip_prefixes:
        query = query.where(~AuditEntryRow.subject.startswith(prefix, autoescape=True))
    if skip_actions:
        query = query.where(AuditEntryRow.action.not_in(list(skip_actions)))
    rows = session.execute(query.group_by(AuditEntryRow.subject))
    return [(subject, int(seq)) for subject, seq in rows]


# --- assessments ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessmentSummary:
    """A stored assessment's fingerprint, time and headline counts (no findings)."""

    release_id: int
    fingerprint: str
    made_at: datetime
    profile_name: str | None
    counts: dict[str, Any]
    marks: AssessmentMarks | None = None
    """What it covers (None: not recorded: it can only be recomputed in full)."""


@dataclass(frozen=True, slots=True)
class AssessmentMarks:
    """What a stored assessment covers besides its fingerprint (see ``AssessmentRow``)."""

    base: str
    intel_mark: int
    findings_seq: int


def summaries(
    session: Session, release_ids: Iterable[int], *, counts: bool = True
) -> dict[int, AssessmentSummary]:
    """The stored assessments' summaries of these releases (``counts=False``: their counts
    left empty, not read)."""
    ids = sorted(set(release_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            AssessmentRow.release_id,
            AssessmentRow.fingerprint,
            AssessmentRow.made_at,
            AssessmentRow.profile_name,
            AssessmentRow.counts if counts else literal(None),
            AssessmentRow.base,
            AssessmentRow.intel_mark,
            AssessmentRow.findings_seq,
        ).where(AssessmentRow.release_id.in_(ids))
    )
    return {
        rid: AssessmentSummary(
            rid,
            fp,
            as_utc(made) or made,
            name,
            got or {},
            None
            if base is None or mark is None or seq is None
            else AssessmentMarks(base, mark, seq),
        )
        for rid, fp, made, name, got, base, mark, seq in rows
    }


def save_assessment(
    session: Session,
    release_id: int,
    assessment: Assessment,
    fingerprint: str,
    marks: AssessmentMarks | None = None,
) -> None:
    """Replace the release's stored assessment (one transaction: the caller's session).

    Readers that find no current assessment compute and save one, so concurrent page views
    save at once: the release's own lock (``ASSESSMENTS`` and the release id) makes two savers
    of one release wait for each other (the later one replaces the earlier one's rows) instead
    of one failing on the release's key, while savers of other releases go on (the workers
    of a re-match job). Shared parts are inserted when missing and skipped when another
    transaction stored the same content first. Everything is encoded before the lock is taken.
    """
    header = encode(assessment)
    header["findings"] = []
    for c in header["components"]:  # read back from the finding rows (:func:`_header_dict`)
        c["vulnerability_ids"] = []
    parts: dict[str, bytes] = {}
    bodies = [_split(a, parts) for a in assessment.findings]
    dictionary = _dictionary(bodies)
    rows = [
        _finding_row(release_id, a, pack(b, dictionary))
        for a, b in zip(assessment.findings, bodies, strict=True)
    ]
    ends = support_rows(release_id, assessment.components)
    packed_header = pack(header)
    volatile = {key: header[key] for key in VOLATILE}
    write_lock(session, f"{ASSESSMENTS}:{release_id}")
    session.execute(delete(AssessedSupportRow).where(AssessedSupportRow.release_id == release_id))
    session.execute(delete(AssessedFindingRow).where(AssessedFindingRow.release_id == release_id))
    session.execute(delete(AssessmentRow).where(AssessmentRow.release_id == release_id))
    session.add(
        AssessmentRow(
            release_id=release_id,
            fingerprint=fingerprint,
            made_at=assessment.assessed_at,
            profile_name=assessment.profile_name,
            counts=assessment.counts.as_dict(),
            header=packed_header,
            dictionary=dictionary,
            base=marks.base if marks else None,
            intel_mark=marks.intel_mark if marks else None,
            findings_seq=marks.findings_seq if marks else None,
            volatile=volatile,
        )
    )
    session.flush()
    _save_parts(session, parts)
    for start in range(0, len(rows), 2000):
        session.execute(insert(AssessedFindingRow), rows[start : start + 2000])
    if ends:
        session.execute(insert(AssessedSupportRow), ends)


@dataclass(frozen=True, slots=True)
class StoredRank:
    """A stored assessed finding as the priority order and the counts read it (no body)."""

    row_id: int
    priority: int
    vuln_id: str
    component_ref: str
    is_open: bool
    exploitation: str | None
    category: str
    risk: str
    score: float | None
    epss: float | None
    status: str
    severity: str
    kev: bool


def stored_ranks(session: Session, release_id: int) -> list[StoredRank]:
    """Every assessed finding of the release's stored assessment, without its body."""
    return stored_ranks_by_release(session, [release_id])[release_id]


def stored_ranks_by_release(
    session: Session, release_ids: Iterable[int]
) -> dict[int, list[StoredRank]]:
    """:func:`stored_ranks` of many releases, in one query per 1,000."""
    c = AssessedFindingRow
    out: dict[int, list[StoredRank]] = {rid: [] for rid in release_ids}
    for part in _chunks(out):
        rows = session.execute(
            select(
                c.release_id,
                c.id,
                c.priority,
                c.vuln_id,
                c.component_ref,
                c.is_open,
                c.exploitation,
                c.category,
                c.risk,
                c.score,
                c.epss,
                c.status,
                c.severity,
                c.kev,
            ).where(c.release_id.in_(part))
        )
        for rel, rid, n, v, ref, o, x, cat, risk, score, epss, status, sev, kev in rows:
            out[rel].append(
                StoredRank(rid, n, v, ref, o, x, cat, risk, score, epss, status, sev, kev)
            )
    return out


@dataclass(frozen=True, slots=True)
class AssessmentPatch:
    """What changes in a stored assessment when only some vulnerabilities changed."""

    dropped: frozenset[str]
    """Vulnerability ids whose assessed findings are replaced (by ``added``, if any)."""
    added: tuple[AssessedFinding, ...]
    """Their assessed findings now, numbered in the whole release's priority order."""
    renumbered: dict[int, int]
    """Kept rows whose priority moved: row id → new priority."""
    counts: dict[str, Any]
    made_at: datetime
    fingerprint: str
    marks: AssessmentMarks
    snapshot: tuple[DataSnapshot, ...]
    unmatched_vex: tuple[VexStatement, ...]
    skipped: tuple[tuple[str, str], ...]
    """The assessment's skipped components now (:func:`patched_skipped`)."""
    expected: AssessmentMarks
    """The marks of the stored assessment the patch was computed from."""


def patch_assessment(session: Session, release_id: int, patch: AssessmentPatch) -> bool:
    """Bring the release's stored assessment up to date in place: replace the findings of the
    changed vulnerabilities, renumber the rows that moved, and rewrite the counts and the
    header's volatile parts (everything else, the support rows and the rest of the header
    included, stays: each component's vulnerability ids are read from the finding rows).
    Same lock as :func:`save_assessment`.

    False, and nothing written, when another writer replaced or updated the assessment since
    the patch was computed (its marks differ from ``patch.expected`` once the lock is held)."""
    return release_id in patch_assessments(session, {release_id: patch})


def patch_assessments(session: Session, patches: Mapping[int, AssessmentPatch]) -> set[int]:
    """:func:`patch_assessment` of many releases in one transaction, a statement per table
    (not per release): the releases whose patch was written. Each release's lock is taken
    (all together, in one order); a release another writer moved on meanwhile is skipped."""
    if not patches:
        return set()
    rids = sorted(patches)
    dictionaries: dict[int, bytes] = {}
    wanted = [rid for rid in rids if patches[rid].added]
    for part in _chunks(wanted):  # the header and the rest of the row are not read
        rows = session.execute(
            select(AssessmentRow.release_id, AssessmentRow.dictionary).where(
                AssessmentRow.release_id.in_(part)
            )
        )
        dictionaries.update({rid: d for rid, d in rows if d is not None})
    parts: dict[str, bytes] = {}
    new_rows: dict[int, list[dict[str, Any]]] = {}
    for rid in rids:
        added = patches[rid].added
        if added and rid not in dictionaries:
            continue  # no stored assessment to patch
        bodies = [_split(a, parts) for a in added]
        new_rows[rid] = [
            _finding_row(rid, a, pack(b, dictionaries.get(rid, b"")))
            for a, b in zip(added, bodies, strict=True)
        ]
    write_locks(session, [f"{ASSESSMENTS}:{rid}" for rid in new_rows])
    stored: dict[int, tuple[Any, ...]] = {}
    for part in _chunks(list(new_rows)):
        marks = session.execute(
            select(
                AssessmentRow.release_id,
                AssessmentRow.base,
                AssessmentRow.intel_mark,
                AssessmentRow.findings_seq,
            ).where(AssessmentRow.release_id.in_(part))
        )
        stored.update({rid: (base, mark, seq) for rid, base, mark, seq in marks})
    written = {
        rid
        for rid in new_rows
        if (e := patches[rid].expected)
        and stored.get(rid) == (e.base, e.intel_mark, e.findings_seq)
    }
    dropped = [(rid, v) for rid in sorted(written) for v in sorted(patches[rid].dropped)]
    for start in range(0, len(dropped), 500):
        by_release: dict[int, list[str]] = {}
        for rid, v in dropped[start : start + 500]:
            by_release.setdefault(rid, []).append(v)
        session.execute(
            delete(AssessedFindingRow).where(
                or_(
                    *(
                        and_(
                            AssessedFindingRow.release_id == rid, AssessedFindingRow.vuln_id.in_(vs)
                        )
                        for rid, vs in by_release.items()
                    )
                )
            )
        )
    _save_parts(session, parts)
    inserted = [row for rid in sorted(written) for row in new_rows[rid]]
    for start in range(0, len(inserted), 2000):
        session.execute(insert(AssessedFindingRow), inserted[start : start + 2000])
    moved = [
        {"id": row_id, "priority": n}
        for rid in sorted(written)
        for row_id, n in sorted(patches[rid].renumbered.items())
    ]
    for start in range(0, len(moved), 2000):
        session.execute(update(AssessedFindingRow), moved[start : start + 2000])
    values = [_patched_values(rid, patches[rid]) for rid in sorted(written)]
    for start in range(0, len(values), 500):
        session.execute(update(AssessmentRow), values[start : start + 500])
    return written


def _patched_values(release_id: int, patch: AssessmentPatch) -> dict[str, Any]:
    """The assessment row's columns a patch rewrites (by primary key, for a bulk update)."""
    return {
        "release_id": release_id,
        "fingerprint": patch.fingerprint,
        "made_at": patch.made_at,
        "counts": patch.counts,
        "volatile": {
            "assessed_at": encode(patch.made_at),
            "snapshot": encode(patch.snapshot),
            "skipped": encode(patch.skipped),
            "unmatched_vex": encode(patch.unmatched_vex),
        },
        "base": patch.marks.base,
        "intel_mark": patch.marks.intel_mark,
        "findings_seq": patch.marks.findings_seq,
    }


VOLATILE = ("assessed_at", "snapshot", "skipped", "unmatched_vex")
"""The header parts a feed change moves, stored apart too (``assessments.volatile``)."""


def _header_dict(
    blob: bytes, volatile: dict[str, Any] | None, pairs: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """The stored header (codec JSON) with its volatile parts as last written and each
    component's vulnerability ids from ``pairs``, the (component ref, vulnerability id) of the
    stored finding rows: the rows are the one record of which component has which finding, so
    a patch that adds or drops findings never rewrites the header."""
    data = dict(unpack(blob))
    if volatile:
        data.update(volatile)
    ids = vulnerabilities_by_component(pairs)
    data["components"] = [
        {**c, "vulnerability_ids": list(ids.get(c["component"]["ref"], ()))}
        for c in data["components"]
    ]
    return data


def _finding_pairs(session: Session, release_id: int) -> list[tuple[str, str]]:
    rows = session.execute(
        select(AssessedFindingRow.component_ref, AssessedFindingRow.vuln_id).where(
            AssessedFindingRow.release_id == release_id
        )
    )
    return [(ref, vuln) for ref, vuln in rows]


def volatile_data(session: Session, release_id: int) -> dict[str, Any] | None:
    """The :data:`VOLATILE` parts of the release's stored assessment (None: nothing stored, or
    stored before they were kept apart)."""
    return volatile_by_release(session, [release_id])[release_id]


def volatile_by_release(
    session: Session, release_ids: Iterable[int]
) -> dict[int, dict[str, Any] | None]:
    """:func:`volatile_data` of many releases, in one query per 1,000."""
    out: dict[int, dict[str, Any] | None] = dict.fromkeys(release_ids)
    for part in _chunks(out):
        rows = session.execute(
            select(AssessmentRow.release_id, AssessmentRow.volatile).where(
                AssessmentRow.release_id.in_(part)
            )
        )
        out.update({rid: found for rid, found in rows})
    return out


def patched_skipped(
    volatile: dict[str, Any], unjudged: Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """The skipped components of a stored assessment (its :func:`volatile_data`) once the
    last scan's unjudged components (display, reason) replace the previous scan's: the
    nameless ones come from the release's components, which a feed change does not move."""
    kept = {(str(s[0]), str(s[1])) for s in volatile.get("skipped", ()) if s[1] == NAMELESS}
    return tuple(sorted({*kept, *unjudged}))


def support_rows(release_id: int, components: Iterable[AssessedComponent]) -> list[dict[str, Any]]:
    """The ``assessed_support`` rows of an assessment's components with an end-of-support date."""
    return [
        {
            "release_id": release_id,
            "ends": a.support.end_of_support,
            "component_name": a.component.name,
            "component_version": a.component.version,
            "level": a.support.level.value,
            "source": a.support.source,
            "finding": a.support_finding,
        }
        for a in components
        if a.support.end_of_support is not None
    ]


@dataclass(frozen=True, slots=True)
class StoredSupportEnd:
    """A component of a stored assessment and the day its support ends."""

    product: str
    release: str
    ends: date
    name: str
    version: str | None
    level: str
    source: str | None
    finding: str | None


def support_ends(session: Session, products: Iterable[str] | None = None) -> list[StoredSupportEnd]:
    """Every stored assessment's components with an end-of-support date (of ``products``;
    None: all), soonest first (then component, product, release): one query."""
    query = (
        select(
            ProductRow.name,
            ReleaseRow.version,
            AssessedSupportRow.ends,
            AssessedSupportRow.component_name,
            AssessedSupportRow.component_version,
            AssessedSupportRow.level,
            AssessedSupportRow.source,
            AssessedSupportRow.finding,
        )
        .join(ReleaseRow, ReleaseRow.id == AssessedSupportRow.release_id)
        .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
        .order_by(AssessedSupportRow.id)
    )
    if products is not None:
        query = query.where(ProductRow.name.in_(sorted(products)))
    found = [StoredSupportEnd(*row) for row in session.execute(query)]
    # sorted here, not by the database's collation: the same order on SQLite and PostgreSQL
    found.sort(key=lambda s: (s.ends, s.name, s.product, s.release))
    return found


def _shared(data: Any, parts: dict[str, bytes]) -> dict[str, str]:
    """Keep ``data`` once in ``parts`` under its content hash; a reference to it in its place."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest not in parts:
        parts[digest] = zlib.compress(text.encode("utf-8"), 6)
    return {PART: digest}


def _save_parts(session: Session, parts: dict[str, bytes]) -> None:
    """Insert the parts not stored yet (content-addressed: a stored one never changes), in
    digest order; a part another transaction is storing at the same time is left to it
    (``ON CONFLICT DO NOTHING``: it waits for that transaction, then skips)."""
    known: set[str] = set()
    digests = sorted(parts)
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        known.update(
            session.scalars(
                select(AssessmentPartRow.digest).where(AssessmentPartRow.digest.in_(chunk))
            )
        )
    new = [{"digest": d, "body": parts[d]} for d in digests if d not in known]
    for start in range(0, len(new), 1000):
        session.execute(insert_missing(session, AssessmentPartRow), new[start : start + 1000])


def _split(a: AssessedFinding, parts: dict[str, bytes]) -> dict[str, Any]:
    """The codec JSON of a finding with its shared parts replaced by references."""
    data: dict[str, Any] = encode(a)
    data["finding"]["vulnerability"] = _shared(data["finding"]["vulnerability"], parts)
    data["rubric"] = _shared(data["rubric"], parts)
    return data


PARTS_KEPT = 5000
"""Decoded shared parts kept per process (:func:`_join`): a part is stored under the hash of
its content and never changes, so a kept one cannot disagree with the database."""
_decoded_parts: dict[str, Vulnerability | tuple[RubricAnswer, ...]] = {}


def _parts(session: Session, wanted: set[str]) -> dict[str, Any]:
    """The decoded parts of these digests: the kept ones, the others read in one query each
    500 and kept (the whole set dropped when it grows past :data:`PARTS_KEPT`)."""
    found = {d: p for d in wanted if (p := _decoded_parts.get(d)) is not None}
    missing = sorted(wanted - found.keys())
    for start in range(0, len(missing), 500):
        for digest, body in session.execute(
            select(AssessmentPartRow.digest, AssessmentPartRow.body).where(
                AssessmentPartRow.digest.in_(missing[start : start + 500])
            )
        ):
            data = json.loads(zlib.decompress(body))
            part: Vulnerability | tuple[RubricAnswer, ...]
            if isinstance(data, list):
                part = decode(tuple[RubricAnswer, ...], data)
            else:
                part = decode(Vulnerability, data)
            found[digest] = part
    if missing:
        if len(_decoded_parts) + len(missing) > PARTS_KEPT:
            _decoded_parts.clear()
        _decoded_parts.update((d, found[d]) for d in missing if d in found)
    return found


def _join(
    bodies: Sequence[tuple[bytes, int]], dictionary: bytes, session: Session
) -> list[AssessedFinding]:
    """Decode (body, priority) rows, filling their shared parts in (each part decoded once per
    process: :func:`_parts`); the priority is the row's (an update in place renumbers rows
    without rewriting their bodies)."""
    datas = [unpack(b, dictionary) for b, _ in bodies]
    wanted = {d["finding"]["vulnerability"][PART] for d in datas}
    wanted |= {d["rubric"][PART] for d in datas}
    parts = _parts(session, wanted)
    out: list[AssessedFinding] = []
    for d, (_, priority) in zip(datas, bodies, strict=True):
        vuln, rubric = parts[d["finding"]["vulnerability"][PART]], parts[d["rubric"][PART]]
        d["finding"]["vulnerability"], d["rubric"] = None, []
        d["priority"] = priority
        a = decode(AssessedFinding, d)
        out.append(replace(a, finding=replace(a.finding, vulnerability=vuln), rubric=rubric))
    return out


PART = "$part"
"""The key of a reference to a shared part in a stored finding body."""


def _finding_row(release_id: int, a: AssessedFinding, body: bytes) -> dict[str, Any]:
    f = a.finding
    return {
        "release_id": release_id,
        "priority": a.priority,
        "vuln_id": f.vulnerability.id,
        "component_ref": f.component_ref,
        "component_name": f.component_name,
        "component_version": f.component_version,
        "severity": f.vulnerability.severity.value,
        "risk": a.risk.value,
        "category": a.category.value,
        "status": a.status.value,
        "is_open": a.is_open,
        "kev": a.kev,
        "epss": a.epss_score,
        "exploitation": a.exploitation.value,
        "due": a.due,
        "score": priority_score(a),
        "body": body,
    }


def load_header(session: Session, release_id: int) -> Assessment | None:
    """The stored assessment without its findings (components, support, snapshot, skipped)."""
    row = session.execute(
        select(AssessmentRow.header, AssessmentRow.volatile).where(
            AssessmentRow.release_id == release_id
        )
    ).one_or_none()
    if row is None:
        return None
    return decode(Assessment, _header_dict(row[0], row[1], _finding_pairs(session, release_id)))


def load_assessment(session: Session, release_id: int) -> Assessment | None:
    """The whole stored assessment of a release (None when there is none)."""
    row = session.get(AssessmentRow, release_id)
    if row is None:
        return None
    bodies = session.execute(
        select(
            AssessedFindingRow.body,
            AssessedFindingRow.priority,
            AssessedFindingRow.component_ref,
            AssessedFindingRow.vuln_id,
        )
        .where(AssessedFindingRow.release_id == release_id)
        .order_by(AssessedFindingRow.priority)
    ).all()
    pairs = [(ref, vuln) for _, _, ref, vuln in bodies]
    header = decode(Assessment, _header_dict(row.header, row.volatile, pairs))
    return replace(
        header, findings=tuple(_join([(b, p) for b, p, _, _ in bodies], row.dictionary, session))
    )


def _filtered(query: Any, release_id: int, flt: FindingFilter) -> Any:
    query = query.where(AssessedFindingRow.release_id == release_id)
    for column, value in (
        (AssessedFindingRow.is_open, flt.open),
        (AssessedFindingRow.status, flt.status),
        (AssessedFindingRow.category, flt.category),
        (AssessedFindingRow.severity, flt.severity),
        (AssessedFindingRow.risk, flt.risk),
        (AssessedFindingRow.kev, flt.kev),
        (AssessedFindingRow.vuln_id, flt.vulnerability),
        (AssessedFindingRow.exploitation, flt.exploitation),
    ):
        if value is not None:
            query = query.where(column == value)
    if flt.component:
        query = query.where(
            func.lower(AssessedFindingRow.component_name).contains(flt.component.lower())
        )
    if flt.due_before is not None:
        query = query.where(AssessedFindingRow.due <= flt.due_before)
    if flt.due_after is not None:
        query = query.where(AssessedFindingRow.due >= flt.due_after)
    return query


def finding_page(
    session: Session,
    release_id: int,
    flt: FindingFilter,
    *,
    offset: int,
    limit: int,
    after: int | None = None,
) -> tuple[int, list[AssessedFinding]]:
    """(total matching, one page of assessed findings in priority order). ``after``: the
    priority of the last finding of the previous page (keyset paging; ``offset`` then counts
    from there)."""
    total = session.scalar(_filtered(select(func.count()), release_id, flt)) or 0
    query = _filtered(select(AssessedFindingRow.body, AssessedFindingRow.priority), release_id, flt)
    if after is not None:
        query = query.where(AssessedFindingRow.priority > after)
    bodies = [
        (b, p)
        for b, p in session.execute(
            query.order_by(AssessedFindingRow.priority).offset(offset).limit(limit)
        )
    ]
    dictionary = session.scalar(
        select(AssessmentRow.dictionary).where(AssessmentRow.release_id == release_id)
    )
    return total, _join(bodies, dictionary or b"", session)

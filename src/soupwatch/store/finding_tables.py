"""Findings per release, with their lifecycle: first seen, fix available, resolved.

* ``first_seen`` is kept across re-scans, and carried to later releases of the same product
  for the same component name + version + vulnerability.
* ``fix_available`` is the earliest time a fixed version was published, when the caller passes
  dates from the advisory data; otherwise unknown (never the scan time: the assessment dates
  fixes from the feeds, ``soupwatch.risk.fixdate``).
* ``resolved_at`` is set when a re-scan no longer finds it (``resolved_by = "rescan"``) or
  by a VEX decision through :func:`mark_resolved` (``resolved_by = "vex"``). A finding that a
  re-scan finds again is re-opened unless a VEX decision resolved it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from soupwatch.errors import StoreError
from soupwatch.model import (
    ComponentRef,
    CvssScore,
    Epss,
    Finding,
    KevEntry,
    MatchEvidence,
    Vulnerability,
    VulnId,
)
from soupwatch.store.inventory import release_id
from soupwatch.store.tables import Base, ReleaseRow


def _evidence(e: MatchEvidence) -> dict[str, Any]:
    return {
        "by": e.by,
        "source": e.source,
        "query": e.query,
        "criteria": e.criteria,
        "confidence": e.confidence,
        "explanation": e.explanation,
    }


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """A finding as JSON-able data, every field kept (the store's ``evidence`` column)."""
    v = f.vulnerability
    return {
        "component_ref": f.component_ref,
        "component_name": f.component_name,
        "component_version": f.component_version,
        "purl": f.purl,
        "cpe": f.cpe,
        "fixed_versions": list(f.fixed_versions),
        "match": _evidence(f.match),
        "other_matches": [_evidence(m) for m in f.other_matches],
        "vulnerability": {
            "id": v.id,
            "aliases": list(v.aliases),
            "summary": v.summary,
            "published": v.published.isoformat() if v.published else None,
            "modified": v.modified.isoformat() if v.modified else None,
            "cvss": [[c.version, c.vector, c.score, c.source, c.type] for c in v.cvss],
            "cwes": list(v.cwes),
            "references": list(v.references),
            "sources": list(v.sources),
            "kev": None
            if v.kev is None
            else {
                "cve": v.kev.cve,
                "date_added": v.kev.date_added.isoformat(),
                "due_date": v.kev.due_date.isoformat() if v.kev.due_date else None,
                "known_ransomware": v.kev.known_ransomware,
                "vendor": v.kev.vendor,
                "product": v.kev.product,
                "required_action": v.kev.required_action,
            },
            "epss": None
            if v.epss is None
            else {
                "cve": v.epss.cve,
                "score": v.epss.score,
                "percentile": v.epss.percentile,
                "model_version": v.epss.model_version,
                "score_date": v.epss.score_date.isoformat() if v.epss.score_date else None,
            },
        },
    }


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def finding_from_dict(d: dict[str, Any]) -> Finding:
    """Inverse of :func:`finding_to_dict`."""
    v = d["vulnerability"]
    kev, epss = v.get("kev"), v.get("epss")
    vuln = Vulnerability(
        id=VulnId(v["id"]),
        aliases=tuple(v["aliases"]),
        summary=v.get("summary"),
        published=_time(v.get("published")),
        modified=_time(v.get("modified")),
        cvss=tuple(CvssScore(*c) for c in v.get("cvss") or ()),
        cwes=tuple(v.get("cwes") or ()),
        references=tuple(v.get("references") or ()),
        sources=tuple(v.get("sources") or ()),
        kev=None
        if not kev
        else KevEntry(
            kev["cve"],
            date.fromisoformat(kev["date_added"]),
            _date(kev.get("due_date")),
            bool(kev.get("known_ransomware")),
            kev.get("vendor"),
            kev.get("product"),
            kev.get("required_action"),
        ),
        epss=None
        if not epss
        else Epss(
            epss["cve"],
            epss["score"],
            epss["percentile"],
            epss.get("model_version"),
            _date(epss.get("score_date")),
        ),
    )
    return Finding(
        component_ref=ComponentRef(d["component_ref"]),
        component_name=d["component_name"],
        component_version=d.get("component_version"),
        vulnerability=vuln,
        match=MatchEvidence(**d["match"]),
        fixed_versions=tuple(d.get("fixed_versions") or ()),
        other_matches=tuple(MatchEvidence(**m) for m in d.get("other_matches") or ()),
        purl=d.get("purl"),
        cpe=d.get("cpe"),
    )


class FindingRow(Base):
    """One (component, vulnerability) finding of a release."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("release_id", "component_ref", "vuln_id", name="uq_finding"),
        Index("ix_findings_release", "release_id"),
        Index("ix_findings_carry", "component_name", "component_version", "vuln_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    component_ref: Mapped[str] = mapped_column(Text)
    component_name: Mapped[str] = mapped_column(Text)
    component_version: Mapped[str | None] = mapped_column(Text)
    vuln_id: Mapped[str] = mapped_column(String(128))
    aliases: Mapped[list[Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    fixed_versions: Mapped[list[Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fix_available: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(16))


class FindingIdRow(Base):
    """One id a finding answers to (its vulnerability id and each alias), upper-cased: the
    index ``impact`` looks a vulnerability up by, instead of scanning every finding's JSON."""

    __tablename__ = "finding_ids"
    __table_args__ = (Index("ix_finding_ids_vuln", "vuln_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    vuln_id: Mapped[str] = mapped_column(String(255))


def finding_ids(vuln_id: str, aliases: Sequence[object]) -> list[str]:
    """The ids a finding answers to, as ``finding_ids`` holds them (upper-cased, distinct)."""
    return sorted({str(v).upper()[:255] for v in (vuln_id, *aliases)})


def _index_ids(session: Session, rows: Sequence[FindingRow]) -> None:
    """Rewrite the ``finding_ids`` of these (flushed) findings from their id and aliases."""
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        session.execute(
            delete(FindingIdRow).where(FindingIdRow.finding_id.in_(ids[start : start + 500]))
        )
    values = [
        {"finding_id": r.id, "vuln_id": v} for r in rows for v in finding_ids(r.vuln_id, r.aliases)
    ]
    for start in range(0, len(values), 5000):
        session.execute(insert(FindingIdRow), values[start : start + 5000])


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as stored for a release, with its lifecycle timestamps."""

    finding: Finding
    first_seen: datetime
    last_seen: datetime
    fix_available: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None = None

    @property
    def is_open(self) -> bool:
        """True while neither a re-scan nor a VEX decision resolved it."""
        return self.resolved_at is None


def _carried_first_seen(
    session: Session, wanted: Mapping[int, set[tuple[str, str | None, str]]]
) -> dict[int, dict[tuple[str, str | None, str], datetime]]:
    """Per product id, the earliest first_seen per (name, version, vuln) in any release of
    that product, for the keys ``wanted`` names (one query per 500 products and 500 ids)."""
    out: dict[int, dict[tuple[str, str | None, str], datetime]] = {p: {} for p in wanted}
    products = sorted(p for p, names in wanted.items() if names)
    vulns = sorted({n[2] for p in products for n in wanted[p]})
    for p_start in range(0, len(products), 500):
        for v_start in range(0, len(vulns), 500):
            rows = session.execute(
                select(
                    ReleaseRow.product_id,
                    FindingRow.component_name,
                    FindingRow.component_version,
                    FindingRow.vuln_id,
                    FindingRow.first_seen,
                )
                .join(ReleaseRow, ReleaseRow.id == FindingRow.release_id)
                .where(ReleaseRow.product_id.in_(products[p_start : p_start + 500]))
                .where(FindingRow.vuln_id.in_(vulns[v_start : v_start + 500]))
            ).all()
            for product_id, name, version, vuln, seen in rows:
                key, seen = (name, version, vuln), _aware(seen)
                found = out[product_id]
                if key in wanted[product_id] and (key not in found or seen < found[key]):
                    found[key] = seen
    return out


@dataclass(frozen=True, slots=True)
class ScanFindings:
    """One release's findings from a scan, to store (:func:`save_findings_many`)."""

    product: str
    release: str
    findings: Sequence[Finding]
    only_refs: Collection[str] | None = None
    """The scan matched only these components; the others' findings stay as they are."""
    release_id: int | None = None
    """The release's id, when the caller has it (saves looking it up)."""


def save_findings(
    session: Session,
    product: str,
    release: str,
    findings: Sequence[Finding],
    now: datetime,
    fix_dates: Mapping[tuple[str, str], datetime] | None = None,
    only_refs: Collection[str] | None = None,
    only_vulns: Collection[str] | None = None,
    known_id: int | None = None,
) -> None:
    """Store a scan's findings for a release; resolve what the scan no longer finds.

    ``fix_dates`` may give, per (vulnerability id, fixed version), when that fix was
    published; the earliest known is kept as ``fix_available``. ``only_refs``: the scan
    matched only these components (an incremental watch); the others' findings stay as they are.
    ``only_vulns``: it judged only these vulnerability ids; the findings of others stay too.
    ``known_id``: the release's id, when the caller has it (saves looking it up).
    """
    one = ScanFindings(product, release, findings, only_refs, known_id)
    save_findings_many(session, [one], now, fix_dates=fix_dates, only_vulns=only_vulns)


def save_findings_many(
    session: Session,
    scans: Sequence[ScanFindings],
    now: datetime,
    *,
    fix_dates: Mapping[tuple[str, str], datetime] | None = None,
    only_vulns: Collection[str] | None = None,
) -> None:
    """:func:`save_findings` of many releases in the session's transaction, each table read
    and written a statement (or a chunk) at a time for all of them, not per release."""
    rids = [
        s.release_id if s.release_id is not None else release_id(session, s.product, s.release)
        for s in scans
    ]
    product_of: dict[int, int] = {}
    for start in range(0, len(rids), 500):
        part = sorted(set(rids[start : start + 500]))
        found = session.execute(
            select(ReleaseRow.id, ReleaseRow.product_id).where(ReleaseRow.id.in_(part))
        )
        product_of.update({rid: pid for rid, pid in found})
    judged = None if only_vulns is None else set(only_vulns)
    existing = _existing_rows(session, scans, rids, judged)
    for scan in scans:
        outside = [
            f for f in scan.findings if judged is not None and f.vulnerability.id not in judged
        ]
        if outside:
            raise StoreError(
                f"finding {outside[0].vulnerability.id} is outside the judged vulnerabilities",
                path=f"{scan.product} {scan.release}",
            )
    wanted: dict[int, set[tuple[str, str | None, str]]] = {}
    for scan, rid in zip(scans, rids, strict=True):
        wanted.setdefault(product_of[rid], set()).update(
            (f.component_name, f.component_version, f.vulnerability.id) for f in scan.findings
        )
    carried = _carried_first_seen(session, wanted)
    reindex: list[FindingRow] = []
    for scan, rid in zip(scans, rids, strict=True):
        reindex += _apply(
            session, scan, rid, existing[rid], carried[product_of[rid]], now, fix_dates
        )
    session.flush()
    if reindex:
        _index_ids(session, reindex)


def _existing_rows(
    session: Session,
    scans: Sequence[ScanFindings],
    rids: Sequence[int],
    judged: set[str] | None,
) -> dict[int, dict[tuple[str, str], FindingRow]]:
    """Each release's stored findings a scan may change: of its matched components (all, or
    ``only_refs``) and, when ``judged`` is given, of those vulnerability ids only (not every
    finding's evidence)."""
    refs = {
        rid: None if s.only_refs is None else set(s.only_refs)
        for s, rid in zip(scans, rids, strict=True)
    }
    out: dict[int, dict[tuple[str, str], FindingRow]] = {rid: {} for rid in rids}
    ordered = sorted(set(rids))
    vulns = None if judged is None else sorted(judged)
    for start in range(0, len(ordered), 200):
        query = select(FindingRow).where(FindingRow.release_id.in_(ordered[start : start + 200]))
        parts = (
            [query]
            if vulns is None
            else [
                query.where(FindingRow.vuln_id.in_(vulns[v : v + 500]))
                for v in range(0, len(vulns), 500)
            ]
        )
        for part in parts:
            for r in session.scalars(part):
                wanted = refs[r.release_id]
                if wanted is None or r.component_ref in wanted:
                    out[r.release_id][(r.component_ref, r.vuln_id)] = r
    return out


def _apply(
    session: Session,
    scan: ScanFindings,
    rid: int,
    existing: dict[tuple[str, str], FindingRow],
    carried: dict[tuple[str, str | None, str], datetime],
    now: datetime,
    fix_dates: Mapping[tuple[str, str], datetime] | None,
) -> list[FindingRow]:
    """Add, update and resolve one release's finding rows (unflushed); the rows whose ids
    must be indexed again."""
    seen: set[tuple[str, str]] = set()
    reindex: list[FindingRow] = []
    for f in scan.findings:
        key = (str(f.component_ref), str(f.vulnerability.id))
        if key in seen:
            raise StoreError(
                f"duplicate finding {key[1]} for component {key[0]}",
                path=f"{scan.product} {scan.release}",
            )
        seen.add(key)
        fix_at = _fix_time(f, now, fix_dates)
        row = existing.get(key)
        data = finding_to_dict(f)
        if row is None:
            first = carried.get((f.component_name, f.component_version, f.vulnerability.id), now)
            row = FindingRow(
                release_id=rid,
                component_ref=key[0],
                component_name=f.component_name,
                component_version=f.component_version,
                vuln_id=key[1],
                aliases=list(f.vulnerability.aliases),
                evidence=data,
                fixed_versions=list(f.fixed_versions),
                first_seen=min(first, now),
                last_seen=now,
                fix_available=fix_at,
                resolved_at=None,
                resolved_by=None,
            )
            session.add(row)
            reindex.append(row)
            continue
        if list(row.aliases or ()) != list(f.vulnerability.aliases):
            reindex.append(row)
        row.evidence, row.aliases, row.last_seen = data, list(f.vulnerability.aliases), now
        row.fixed_versions = list(f.fixed_versions)
        if fix_at is not None and (row.fix_available is None or fix_at < _aware(row.fix_available)):
            row.fix_available = fix_at
        if row.resolved_by == "rescan":
            row.resolved_at, row.resolved_by = None, None
    for key, row in existing.items():
        if key not in seen and row.resolved_at is None:
            row.resolved_at, row.resolved_by = now, "rescan"
    return reindex


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; we store UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _fix_time(
    f: Finding, now: datetime, fix_dates: Mapping[tuple[str, str], datetime] | None
) -> datetime | None:
    if not f.fixed_versions:
        return None
    known = [
        fix_dates[(f.vulnerability.id, v)]
        for v in f.fixed_versions
        if fix_dates and (f.vulnerability.id, v) in fix_dates
    ]
    return min(known) if known else None


def count_open(session: Session, product: str, release: str) -> int:
    """How many of the release's stored findings are open (not resolved)."""
    rid = release_id(session, product, release)
    return count_open_by_release(session, [rid])[rid]


def count_open_by_release(session: Session, release_ids: Collection[int]) -> dict[int, int]:
    """:func:`count_open` of many releases by id, in one query per 1,000 releases."""
    wanted = sorted(set(release_ids))
    out = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), 1000):
        part = wanted[start : start + 1000]
        rows = session.execute(
            select(FindingRow.release_id, func.count())
            .where(FindingRow.release_id.in_(part), FindingRow.resolved_at.is_(None))
            .group_by(FindingRow.release_id)
        )
        out.update({int(rid): int(n) for rid, n in rows})
    return out


def load_findings(
    session: Session, product: str, release: str, vuln_ids: Collection[str] | None = None
) -> list[StoredFinding]:
    """Every finding stored for a release (open and resolved), sorted; ``vuln_ids``: only the
    findings of these vulnerability ids."""
    rid = release_id(session, product, release)
    if vuln_ids is not None:
        return load_findings_by_release(session, [rid], vuln_ids)[rid]
    query = select(FindingRow).where(FindingRow.release_id == rid)
    rows = list(session.scalars(query.order_by(FindingRow.component_ref, FindingRow.vuln_id)))
    return [_stored(r) for r in rows]


def load_findings_by_release(
    session: Session, release_ids: Collection[int], vuln_ids: Collection[str]
) -> dict[int, list[StoredFinding]]:
    """:func:`load_findings` of these vulnerability ids for many releases by id (one query per
    500 ids and 1,000 releases), each release's sorted as there."""
    wanted = sorted(set(vuln_ids))
    releases = sorted(set(release_ids))
    rows: dict[int, list[FindingRow]] = {rid: [] for rid in releases}
    for first in range(0, len(releases), 1000):
        part = releases[first : first + 1000]
        for start in range(0, len(wanted), 500):
            query = select(FindingRow).where(
                FindingRow.release_id.in_(part),
                FindingRow.vuln_id.in_(wanted[start : start + 500]),
            )
            for r in session.scalars(query):
                rows[r.release_id].append(r)
    out = {}
    for rid, found in rows.items():
        found.sort(key=lambda r: (r.component_ref, r.vuln_id))
        out[rid] = [_stored(r) for r in found]
    return out


def _stored(r: FindingRow) -> StoredFinding:
    return StoredFinding(
        finding_from_dict(r.evidence),
        _aware(r.first_seen),
        _aware(r.last_seen),
        _aware(r.fix_available) if r.fix_available else None,
        _aware(r.resolved_at) if r.resolved_at else None,
        r.resolved_by,
    )


def mark_resolved(
    session: Session, product: str, release: str, vuln_id: str, component_ref: str, when: datetime
) -> None:
    """Resolve one finding by a VEX decision; a later re-scan does not re-open it."""
    rid = release_id(session, product, release)
    row = session.scalars(
        select(FindingRow).where(
            FindingRow.release_id == rid,
            FindingRow.vuln_id == vuln_id,
            FindingRow.component_ref == component_ref,
        )
    ).one_or_none()
    if row is None:
        raise StoreError(
            f"no finding {vuln_id} for component {component_ref}", path=f"{product} {release}"
        )
    row.resolved_at, row.resolved_by = when, "vex"
    session.flush()

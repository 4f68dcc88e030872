"""Merging the records of every source about one id into a ``Vulnerability``.

Summary: NVD first, then the CNA (CVE JSON 5), then OSV. Published is the earliest, modified
the latest. CVSS keeps every (version, vector, scorer) once; CWEs and references are unions.
Aliases are the records' own aliases plus the ids of records that list this id as an alias.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from soupwatch.intel.records import as_utc
from soupwatch.model import CvssScore, Epss, KevEntry, SsvcAssertion, Vulnerability, VulnId
from soupwatch.store.intel_tables import (
    IntelAliasRow,
    IntelCvssRow,
    IntelCweRow,
    IntelEpssRow,
    IntelKevRow,
    IntelRecordRow,
    IntelReferenceRow,
    IntelSsvcRow,
)
from soupwatch.store.intel_write import chunks

_SOURCE_ORDER = {"nvd": 0, "cve5": 1, "osv": 2}
READ_CHUNK = 5000
"""Ids per ``IN (...)`` read: each statement costs ~1 ms to build, so a kernel scan's ~10,000
ids are read in a few statements (SQLite allows 32,766 parameters, PostgreSQL 65,535)."""


class _Rec(NamedTuple):
    """The columns of one record row that the merge reads (not the ORM entity: 10x cheaper)."""

    source: str
    key: str
    summary: str | None
    published: datetime | None
    modified: datetime | None


def _by_vuln(session: Session, table: Any, ids: Sequence[str], *cols: Any) -> list[Any]:
    rows: list[Any] = []
    for part in chunks(list(ids), READ_CHUNK):
        rows.extend(
            session.execute(
                select(table.vuln_id, *cols)
                .where(table.vuln_id.in_(part))
                .order_by(table.vuln_id, table.id)
            ).all()
        )
    return rows


def merge_vulnerabilities(session: Session, ids: Sequence[str]) -> dict[str, Vulnerability]:
    """Every requested id that any source knows, merged across sources."""
    records: dict[str, list[_Rec]] = {}
    rec = IntelRecordRow
    for part in chunks(list(ids), READ_CHUNK):
        for row in session.execute(
            select(
                rec.vuln_id, rec.source, rec.key, rec.summary, rec.published, rec.modified
            ).where(rec.vuln_id.in_(part))
        ):
            records.setdefault(row[0], []).append(_Rec(*row[1:]))
    aliases: dict[str, set[str]] = {}
    for vid, alias in _by_vuln(session, IntelAliasRow, ids, IntelAliasRow.alias):
        aliases.setdefault(vid, set()).add(alias)
    for part in chunks(list(ids), READ_CHUNK):
        for alias, vid in session.execute(
            select(IntelAliasRow.alias, IntelAliasRow.vuln_id).where(IntelAliasRow.alias.in_(part))
        ):
            aliases.setdefault(alias, set()).add(vid)
    cvss: dict[str, dict[tuple[str, str, str], CvssScore]] = {}
    for vid, ver, vec, score, scorer, kind in _by_vuln(
        session,
        IntelCvssRow,
        ids,
        IntelCvssRow.version,
        IntelCvssRow.vector,
        IntelCvssRow.score,
        IntelCvssRow.scorer,
        IntelCvssRow.type,
    ):
        cvss.setdefault(vid, {}).setdefault(
            (ver, vec, scorer),
            CvssScore(version=ver, vector=vec, score=score, source=scorer, type=kind),
        )
    cwes: dict[str, set[str]] = {}
    for vid, cwe in _by_vuln(session, IntelCweRow, ids, IntelCweRow.cwe):
        cwes.setdefault(vid, set()).add(cwe)
    refs: dict[str, dict[str, None]] = {}
    for vid, url in _by_vuln(session, IntelReferenceRow, ids, IntelReferenceRow.url):
        refs.setdefault(vid, {})[url] = None
    kev = _kev(session, ids)
    epss = _epss(session, ids)
    ssvc = _ssvc(session, ids)
    result: dict[str, Vulnerability] = {}
    for vid in ids:
        rows = sorted(records.get(vid, []), key=lambda r: (_SOURCE_ORDER.get(r.source, 9), r.key))
        if not rows and vid not in kev and vid not in epss:
            continue
        result[vid] = Vulnerability(
            id=VulnId(vid),
            aliases=tuple(sorted(aliases.get(vid, set()) - {vid})),
            summary=next((r.summary for r in rows if r.summary), None),
            published=_pick(min, [as_utc(r.published) for r in rows]),
            modified=_pick(max, [as_utc(r.modified) for r in rows]),
            cvss=tuple(
                sorted(cvss.get(vid, {}).values(), key=lambda c: (c.version, c.source, c.vector))
            ),
            cwes=tuple(sorted(cwes.get(vid, set()))),
            references=tuple(refs.get(vid, {})),
            sources=tuple(sorted({r.source for r in rows})),
            kev=kev.get(vid),
            epss=epss.get(vid),
            ssvc=ssvc.get(vid, ()),
        )
    return result


def _pick(fn: Any, values: list[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return fn(present) if present else None


def _ssvc(session: Session, ids: Sequence[str]) -> dict[str, tuple[SsvcAssertion, ...]]:
    """Each id's SSVC judgements, one per (provider, decision points, time), newest first."""
    found: dict[str, dict[tuple[object, ...], SsvcAssertion]] = {}
    t = IntelSsvcRow
    cols = (t.provider, t.feed, t.exploitation, t.automatable, t.technical_impact)
    for vid, provider, feed, exp, auto, impact, at, version in _by_vuln(
        session, t, ids, *cols, t.assessed_at, t.version
    ):
        item = SsvcAssertion(
            cve=vid,
            provider=provider,
            exploitation=exp,
            automatable=auto,
            technical_impact=impact,
            assessed_at=as_utc(at),
            feed=feed,
            version=version,
        )
        key = (provider, exp, auto, impact, item.assessed_at)
        found.setdefault(vid, {}).setdefault(key, item)
    epoch = datetime.min.replace(tzinfo=UTC)
    return {
        vid: tuple(sorted(items.values(), key=lambda s: s.assessed_at or epoch, reverse=True))
        for vid, items in found.items()
    }


def _kev(session: Session, ids: Sequence[str]) -> dict[str, KevEntry]:
    out: dict[str, KevEntry] = {}
    for part in chunks(list(ids), READ_CHUNK):
        for row in session.scalars(select(IntelKevRow).where(IntelKevRow.cve.in_(part))):
            out[row.cve] = KevEntry(
                cve=row.cve,
                date_added=row.date_added,
                due_date=row.due_date,
                known_ransomware=row.known_ransomware,
                vendor=row.vendor,
                product=row.product,
                required_action=row.required_action,
            )
    return out


def _epss(session: Session, ids: Sequence[str]) -> dict[str, Epss]:
    out: dict[str, Epss] = {}
    for part in chunks(list(ids), READ_CHUNK):
        for row in session.scalars(select(IntelEpssRow).where(IntelEpssRow.cve.in_(part))):
            out[row.cve] = Epss(
                cve=row.cve,
                score=row.score,
                percentile=row.percentile,
                model_version=row.model_version,
                score_date=row.score_date,
            )
    return out

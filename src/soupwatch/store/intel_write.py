"""Writing parsed intelligence to the tables, inside the caller's transaction.

A record that appears again in its namespace replaces the old one (delete + insert: the
detail tables cascade), unless the stored copy is strictly newer (``modified``), so that an old
legacy year file never overwrites a newer API 2.0 record. The KEV, EPSS and endoflife.date
catalogues are replaced whole. The ``count_*`` functions measure what a dataset holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from soupwatch.intel.interface import EolCatalogue, EpssScores, KevCatalogue
from soupwatch.intel.records import ParsedRecord, as_utc, cpe_keys, osv_lookup_name
from soupwatch.store.intel_tables import (
    IntelAliasRow,
    IntelCnaAffectedRow,
    IntelCpeConfigRow,
    IntelCpeIndexRow,
    IntelCvssRow,
    IntelCweRow,
    IntelEolCycleRow,
    IntelEolProductRow,
    IntelEpssRow,
    IntelKevRow,
    IntelOsvAffectedRow,
    IntelRecordRow,
    IntelReferenceRow,
    IntelSsvcRow,
)

CHUNK = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _newer_stored(session: Session, records: list[ParsedRecord]) -> set[str]:
    """Keys whose stored copy is strictly newer than the incoming one."""
    incoming = {r.key: r.modified for r in records}
    newer: set[str] = set()
    for part in chunks(list(incoming)):
        rows = session.execute(
            select(IntelRecordRow.key, IntelRecordRow.modified).where(IntelRecordRow.key.in_(part))
        )
        for key, modified in rows:
            new = incoming[key]
            old = as_utc(modified)
            if old is not None and new is not None and old > new:
                newer.add(key)
    return newer


def write_records(
    session: Session,
    records: Iterable[ParsedRecord],
    *,
    source: str,
    feed: str,
    origin: str,
    stamp: str,
) -> int:
    """Replace these records (last one wins within the batch); returns how many were written."""
    by_key: dict[str, ParsedRecord] = {}
    for record in records:
        by_key[record.key] = record
    batch = [r for r in by_key.values()]
    keep = _newer_stored(session, batch)
    batch = [r for r in batch if r.key not in keep]
    for part in chunks([r.key for r in batch]):
        session.execute(delete(IntelRecordRow).where(IntelRecordRow.key.in_(part)))
    rows: dict[type[Any], list[dict[str, Any]]] = {}
    for record in batch:
        _rows_of(record, source, feed, origin, stamp, rows)
    # Core executemany on the connection: the ORM bulk path costs ~2x more per row.
    conn = session.connection()
    if rows.get(IntelRecordRow):
        conn.execute(insert(IntelRecordRow.__table__), rows.pop(IntelRecordRow))  # type: ignore[arg-type]
    for table, values in rows.items():
        if values:
            conn.execute(insert(table.__table__), values)
    return len(batch)


def _rows_of(
    record: ParsedRecord,
    source: str,
    feed: str,
    origin: str,
    stamp: str,
    rows: dict[type[Any], list[dict[str, Any]]],
) -> None:
    key, vid = record.key, record.vuln_id
    rows.setdefault(IntelRecordRow, []).append(
        {
            "key": key,
            "source": source,
            "feed": feed,
            "vuln_id": vid,
            "origin": origin,
            "stamp": stamp,
            "summary": record.summary,
            "published": record.published,
            "modified": record.modified,
            "withdrawn": record.withdrawn,
            "assigner": record.assigner,
            "status": record.status,
        }
    )
    base = {"record_key": key, "vuln_id": vid}
    for alias in sorted(set(record.aliases) - {vid}):
        rows.setdefault(IntelAliasRow, []).append({**base, "alias": alias})
    for score in record.cvss:
        rows.setdefault(IntelCvssRow, []).append(
            {
                **base,
                "version": score.version,
                "vector": score.vector,
                "score": score.score,
                "scorer": score.source,
                "type": score.type,
            }
        )
    for cwe in dict.fromkeys(record.cwes):
        rows.setdefault(IntelCweRow, []).append({**base, "cwe": cwe})
    for ssvc in record.ssvc:
        rows.setdefault(IntelSsvcRow, []).append(
            {
                **base,
                "provider": ssvc.provider,
                "feed": ssvc.feed,
                "exploitation": ssvc.exploitation,
                "automatable": ssvc.automatable,
                "technical_impact": ssvc.technical_impact,
                "assessed_at": ssvc.assessed_at,
                "version": ssvc.version,
            }
        )
    for url in dict.fromkeys(record.references):
        rows.setdefault(IntelReferenceRow, []).append({**base, "url": url})
    if record.configurations:
        rows.setdefault(IntelCpeConfigRow, []).append(
            {**base, "configurations": record.configurations}
        )
        for vendor, product in sorted(cpe_keys(record.configurations)):
            rows.setdefault(IntelCpeIndexRow, []).append(
                {**base, "vendor": vendor, "product": product}
            )
    for ecosystem, name, affected in record.osv_affected:
        rows.setdefault(IntelOsvAffectedRow, []).append(
            {
                **base,
                "ecosystem": ecosystem,
                "name": osv_lookup_name(ecosystem, name),
                "affected": affected,
            }
        )
    for lookup, affected in record.cna_affected:
        rows.setdefault(IntelCnaAffectedRow, []).append(
            {
                **base,
                "lookup": lookup,
                "assigner": record.assigner or "",
                "affected": affected,
            }
        )


def stale_ids(session: Session, *, feed: str, origin: str, stamp: str) -> set[str]:
    """The vulnerability ids :func:`delete_stale` would drop."""
    return set(
        session.scalars(
            select(IntelRecordRow.vuln_id).where(
                IntelRecordRow.feed == feed,
                IntelRecordRow.origin == origin,
                IntelRecordRow.stamp != stamp,
            )
        )
    )


def kev_state(session: Session) -> dict[str, date]:
    """Every KEV entry's CVE and date added (to tell which a new catalogue changes)."""
    return {
        cve: day for cve, day in session.execute(select(IntelKevRow.cve, IntelKevRow.date_added))
    }


EVERYTHING = "*"
"""The id noted for a sync that changed data any finding may read without naming which (EPSS
scores, end-of-life dates): stored assessments made before it are recomputed in full."""


def note_changes(session: Session, feed: str, ids: Iterable[str], now: datetime) -> int:
    """Record that a sync of ``feed`` changed these vulnerability ids (``intel_changes``)."""
    from soupwatch.store.job_tables import IntelChangeRow

    rows = [{"feed": feed, "vuln_id": v, "changed_at": now} for v in sorted(set(ids))]
    for part in chunks(rows, 5000):
        session.execute(insert(IntelChangeRow), list(part))
    return len(rows)


def delete_stale(session: Session, *, feed: str, origin: str, stamp: str) -> int:
    """Drop records a completely re-imported file no longer holds; returns how many."""
    result = session.execute(
        delete(IntelRecordRow).where(
            IntelRecordRow.feed == feed,
            IntelRecordRow.origin == origin,
            IntelRecordRow.stamp != stamp,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def count_records(session: Session, feed: str) -> tuple[int, datetime | None]:
    """Records this feed wrote to ``intel_records`` and the newest ``modified``."""
    count, newest = session.execute(
        select(func.count(), func.max(IntelRecordRow.modified)).where(IntelRecordRow.feed == feed)
    ).one()
    return int(count), as_utc(newest)


def replace_kev(session: Session, catalogue: KevCatalogue) -> int:
    """Replace the KEV catalogue; returns how many entries it holds."""
    session.execute(delete(IntelKevRow))
    rows = [
        {
            "cve": e.cve,
            "date_added": e.date_added,
            "due_date": e.due_date,
            "known_ransomware": e.known_ransomware,
            "vendor": e.vendor,
            "product": e.product,
            "name": catalogue.names.get(e.cve),
            "required_action": e.required_action,
        }
        for e in catalogue.entries
    ]
    if rows:
        session.execute(insert(IntelKevRow), rows)
    return len(rows)


def count_kev(session: Session) -> tuple[int, datetime | None]:
    """KEV entries and the newest ``dateAdded`` (midnight UTC)."""
    count, newest = session.execute(select(func.count(), func.max(IntelKevRow.date_added))).one()
    return int(count), _midnight(newest)


def replace_epss(session: Session, scores: EpssScores) -> int:
    """Replace every EPSS score; returns how many."""
    session.execute(delete(IntelEpssRow))
    rows = [
        {
            "cve": s.cve,
            "score": s.score,
            "percentile": s.percentile,
            "model_version": s.model_version,
            "score_date": s.score_date,
        }
        for s in scores.scores
    ]
    for part in chunks(rows, 5000):
        session.execute(insert(IntelEpssRow), list(part))
    return len(rows)


def count_epss(session: Session) -> tuple[int, datetime | None]:
    """EPSS scores and the newest score date (midnight UTC)."""
    count, newest = session.execute(select(func.count(), func.max(IntelEpssRow.score_date))).one()
    return int(count), _midnight(newest)


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


def encode_flag(value: date | bool | None) -> str | None:
    """An endoflife.date date / true / false as stored text (``2026-09-07``, ``true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if value is not None else None


def replace_eol(session: Session, catalogue: EolCatalogue) -> int:
    """Replace every endoflife.date product and cycle; returns how many products."""
    session.execute(delete(IntelEolCycleRow))
    session.execute(delete(IntelEolProductRow))
    products = [
        {
            "name": p.name,
            "label": p.label,
            "identifiers": [{k: v} for k, v in p.identifiers],
            "versions": dict(catalogue.versions.get(p.name, {})),
        }
        for p in catalogue.products
    ]
    cycles = [
        {
            "product": p.name,
            "position": position,
            "cycle": c.cycle,
            "release_date": c.release_date,
            "eol": encode_flag(c.eol),
            "support": encode_flag(c.support),
            "extended_support": encode_flag(c.extended_support),
            "lts": c.lts,
            "latest": c.latest,
            "latest_release_date": c.latest_release_date,
            "link": c.link,
        }
        for p in catalogue.products
        for position, c in enumerate(p.cycles)
    ]
    if products:
        session.execute(insert(IntelEolProductRow), products)
    if cycles:
        session.execute(insert(IntelEolCycleRow), cycles)
    return len(products)


def count_eol(session: Session) -> tuple[int, datetime | None]:
    """endoflife.date products (they have no record date)."""
    count = session.execute(select(func.count()).select_from(IntelEolProductRow)).scalar_one()
    return int(count), None

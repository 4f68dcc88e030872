"""CISA Known Exploited Vulnerabilities: the catalogue JSON, replaced as a whole.

Mirror: ``kev/known_exploited_vulnerabilities.json``; HTTP: CISA's published feed URL.
The whole catalogue is one transaction (delete + insert): a killed sync keeps the old one.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from functools import partial
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from soupwatch.errors import FeedFormatError
from soupwatch.intel.interface import ProgressCallback, SyncResult
from soupwatch.intel.records import parse_date
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json, maybe_gunzip, sha256_hex
from soupwatch.store.db import Store
from soupwatch.store.intel_tables import IntelKevRow

KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
MIRROR_PATH = "kev/known_exploited_vulnerabilities.json"


def parse_catalog(doc: Any, where: str, warn: Any) -> list[dict[str, Any]]:
    """Rows of the KEV table; entries without a CVE id or dateAdded are warned and skipped."""
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise FeedFormatError("not a KEV catalogue (no 'vulnerabilities' list)", path=where)
    rows: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(doc["vulnerabilities"]):
        cve = item.get("cveID") if isinstance(item, dict) else None
        added = parse_date(item.get("dateAdded")) if isinstance(item, dict) else None
        if not isinstance(cve, str) or not cve.startswith("CVE-") or added is None:
            warn(f"{where} ($.vulnerabilities[{index}]): entry without cveID/dateAdded; skipped")
            continue
        rows[cve] = {
            "cve": cve,
            "date_added": added,
            "due_date": parse_date(item.get("dueDate")),
            "known_ransomware": str(item.get("knownRansomwareCampaignUse", "")).lower() == "known",
            "vendor": item.get("vendorProject"),
            "product": item.get("product"),
            "name": item.get("vulnerabilityName"),
            "required_action": item.get("requiredAction"),
        }
    return [rows[k] for k in sorted(rows)]


def _replace(session: Session, rows: list[dict[str, Any]]) -> int:
    session.execute(delete(IntelKevRow))
    if rows:
        session.execute(insert(IntelKevRow), rows)
    return len(rows)


def _count(session: Session) -> tuple[int, datetime | None]:
    count, newest = session.execute(select(func.count(), func.max(IntelKevRow.date_added))).one()
    return int(count), datetime.combine(newest, time(), UTC) if newest else None


class KevFeed:
    """The CISA KEV catalogue."""

    name = "kev"

    def sync(
        self, store: Store, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Replace the catalogue when its content changed."""
        run = FeedRun(store, self.name, source.clock, progress)
        if source.mirror is not None:
            path = source.mirror / MIRROR_PATH
            if not path.is_file():
                run.warn(f"{path}: not in the mirror")
                return run.finish(_count, advance=False)
            raw, name = path.read_bytes(), MIRROR_PATH
        else:
            name = source.url(self.name, KEV_URL)
            raw = source.get(name)
        sha = sha256_hex(raw)
        run.tell(0, 1, name)
        if run.is_done(name, sha):
            run.resumed = True
        else:
            try:
                rows = parse_catalog(load_json(maybe_gunzip(raw, name), name), name, run.warn)
            except FeedFormatError as err:
                run.warn(str(err))
                return run.finish(_count, advance=False)
            run.unit(partial(_replace, rows=rows), file=name, sha256=sha)
        run.tell(1, 1, name)
        return run.finish(_count)

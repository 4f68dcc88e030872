"""CISA Known Exploited Vulnerabilities: the catalogue JSON, replaced as a whole.

Mirror: ``kev/known_exploited_vulnerabilities.json``; HTTP: CISA's published feed URL.
The whole catalogue is one transaction (delete + insert): a killed sync keeps the old one.
"""

from __future__ import annotations

from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError
from soupwatch.intel.interface import (
    Dataset,
    IntelSink,
    KevCatalogue,
    ProgressCallback,
    SyncResult,
)
from soupwatch.intel.records import parse_date, record_parser
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json, maybe_gunzip, read_mirror_file, sha256_hex
from soupwatch.model import KevEntry

KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
MIRROR_PATH = "kev/known_exploited_vulnerabilities.json"


@record_parser(1)
def parse_catalog(doc: Any, where: str, warn: Any) -> KevCatalogue:
    """The catalogue's entries by CVE; entries without a CVE id or dateAdded are warned."""
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise FeedFormatError("not a KEV catalogue (no 'vulnerabilities' list)", path=where)
    entries: dict[str, KevEntry] = {}
    names: dict[str, str | None] = {}
    for index, item in enumerate(doc["vulnerabilities"]):
        cve = item.get("cveID") if isinstance(item, dict) else None
        added = parse_date(item.get("dateAdded")) if isinstance(item, dict) else None
        if not isinstance(cve, str) or not cve.startswith("CVE-") or added is None:
            warn(f"{where} ($.vulnerabilities[{index}]): entry without cveID/dateAdded; skipped")
            continue
        entries[cve] = KevEntry(
            cve=cve,
            date_added=added,
            due_date=parse_date(item.get("dueDate")),
            known_ransomware=str(item.get("knownRansomwareCampaignUse", "")).lower() == "known",
            vendor=_text(item.get("vendorProject")),
            product=_text(item.get("product")),
            required_action=_text(item.get("requiredAction")),
        )
        names[cve] = _text(item.get("vulnerabilityName"))
    return KevCatalogue(entries=[entries[k] for k in sorted(entries)], names=names)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class KevFeed:
    """The CISA KEV catalogue."""

    name = "kev"

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Replace the catalogue when its content changed."""
        run = FeedRun(sink, self.name, source.clock, progress)
        if source.mirror is not None:
            path = source.mirror / MIRROR_PATH
            if not path.is_file():
                run.warn(f"{path}: not in the mirror")
                return run.finish(Dataset.KEV, advance=False)
            raw, name = read_mirror_file(path, MIRROR_PATH), MIRROR_PATH
        else:
            name = source.url(self.name, KEV_URL)
            raw = source.get(name)
        sha = sha256_hex(raw)
        run.tell(0, 1, name)
        if run.is_done(name, sha):
            run.resumed = True
        else:
            try:
                catalogue = parse_catalog(load_json(maybe_gunzip(raw, name), name), name, run.warn)
            except FeedLimitError:  # a limit stops the feed; a corrupt file is a warning
                raise
            except FeedFormatError as err:
                run.warn(str(err))
                return run.finish(Dataset.KEV, advance=False)
            run.unit(catalogue, file=name, sha256=sha)
        run.tell(1, 1, name)
        return run.finish(Dataset.KEV)

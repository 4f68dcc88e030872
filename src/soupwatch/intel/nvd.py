"""NVD CVE API 2.0: paged JSON over HTTP (incremental by lastModified), or mirrored pages.

Mirror layout: ``nvd/*.json.gz``, each file one API response page. Over HTTP the feed pages
with ``startIndex``/``resultsPerPage``; after a first full sync it asks only for records
modified since the last sync, in windows of at most 120 days (the API's limit). Each page is
one transaction together with its cursor, so a killed sync resumes at the next page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError
from soupwatch.intel.interface import IntelSink, ProgressCallback, RecordBatch, SyncResult
from soupwatch.intel.records import (
    ParsedRecord,
    cvss_version,
    english,
    parse_datetime,
    record_parser,
)
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, gunzip, load_json, read_mirror_file, sha256_hex
from soupwatch.model import CvssScore

NVD_API_URL = "https://services.nvd.nist.gov/rest/json/cves/2.0"
PAGE_SIZE = 2000
MAX_WINDOW = timedelta(days=120)
_METRIC_KEYS = ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2")


@record_parser(1)
def parse_cve(cve: dict[str, Any], where: str) -> ParsedRecord:
    """One API 2.0 ``cve`` object as a record; FeedFormatError when it has no usable id."""
    vid = cve.get("id")
    if not isinstance(vid, str) or not vid.startswith("CVE-"):
        raise FeedFormatError("record without a CVE id", path=where)
    status = cve.get("vulnStatus")
    record = ParsedRecord(
        vuln_id=vid,
        namespace="nvd",
        summary=english(cve.get("descriptions")),
        published=parse_datetime(cve.get("published")),
        modified=parse_datetime(cve.get("lastModified")),
        withdrawn=status == "Rejected",
        assigner=cve.get("sourceIdentifier"),
        status=status if isinstance(status, str) else None,
    )
    metrics = cve.get("metrics") or {}
    for key in _METRIC_KEYS:
        for metric in metrics.get(key) or ():
            data = metric.get("cvssData") or {}
            vector, score = data.get("vectorString"), data.get("baseScore")
            if isinstance(vector, str) and isinstance(score, int | float):
                record.cvss.append(
                    CvssScore(
                        version=str(data.get("version") or cvss_version(vector)),
                        vector=vector,
                        score=float(score),
                        source=str(metric.get("source") or "nvd@nist.gov"),
                        type=str(metric.get("type") or "Primary"),
                    )
                )
    for weakness in cve.get("weaknesses") or ():
        for desc in weakness.get("description") or ():
            value = desc.get("value")
            if isinstance(value, str) and value.startswith("CWE-"):
                record.cwes.append(value)
    record.references = [r["url"] for r in cve.get("references") or () if r.get("url")]
    configs = cve.get("configurations")
    record.configurations = configs if isinstance(configs, list) and configs else None
    return record


@record_parser(1)
def parse_page(page: Any, where: str, warn: Any) -> tuple[list[ParsedRecord], int]:
    """Records of one API response page and its ``totalResults``; bad records are warned."""
    if not isinstance(page, dict) or not isinstance(page.get("vulnerabilities"), list):
        raise FeedFormatError("not an NVD CVE API response (no 'vulnerabilities' list)", path=where)
    version = str(page.get("version", ""))
    if page.get("format") != "NVD_CVE" or not version.startswith("2."):
        raise FeedFormatError(
            f"unknown NVD schema {page.get('format')} {version!r}", path=where, where="$.version"
        )
    records = []
    for index, item in enumerate(page["vulnerabilities"]):
        try:
            records.append(parse_cve(item.get("cve") or {}, where))
        except (FeedFormatError, AttributeError, TypeError) as err:
            warn(f"{where} ($.vulnerabilities[{index}]): record skipped: {err}")
    return records, int(page.get("totalResults") or 0)


class NvdFeed:
    """The NVD CVE API 2.0 feed."""

    name = "nvd"

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Import mirrored pages, or page through the API (incrementally after the first sync)."""
        run = FeedRun(sink, self.name, source.clock, progress)
        if source.mirror is not None:
            self._sync_mirror(run, source)
        else:
            self._sync_api(run, source)
        return run.finish()

    def _sync_mirror(self, run: FeedRun, source: FeedSource) -> None:
        assert source.mirror is not None
        files = sorted((source.mirror / "nvd").glob("*.json.gz"))
        if not files:
            run.warn(f"{source.mirror / 'nvd'}: no *.json.gz pages")
        for done, path in enumerate(files):
            name = f"nvd/{path.name}"
            raw = read_mirror_file(path, name)
            sha = sha256_hex(raw)
            run.tell(done, len(files), name)
            if run.is_done(name, sha):
                run.resumed = True
                continue
            try:
                records, _ = parse_page(load_json(gunzip(raw, name), name), name, run.warn)
            except FeedLimitError:  # a limit stops the feed; a corrupt file is a warning
                raise
            except FeedFormatError as err:
                run.warn(str(err))
                continue
            run.unit(
                RecordBatch(records, source="nvd", origin=name, stamp=sha),
                file=name,
                sha256=sha,
            )
        run.tell(len(files), len(files), "nvd")

    def _sync_api(self, run: FeedRun, source: FeedSource) -> None:
        url = source.url(self.name, NVD_API_URL)
        headers = {"apiKey": source.api_key} if source.api_key else {}
        now = source.clock()
        for window in self._windows(run, now):
            self._page_through(run, source, url, headers, window)

    def _windows(self, run: FeedRun, now: datetime) -> list[tuple[datetime, datetime] | None]:
        cursor = run.cursor
        if cursor.get("window_start"):
            start = parse_datetime(cursor["window_start"])
        else:
            start = run.previous_sync
        if start is None:
            return [None]
        windows: list[tuple[datetime, datetime] | None] = []
        while start < now:
            end = min(start + MAX_WINDOW, now)
            windows.append((start, end))
            start = end
        return windows

    def _page_through(
        self,
        run: FeedRun,
        source: FeedSource,
        url: str,
        headers: dict[str, str],
        window: tuple[datetime, datetime] | None,
    ) -> None:
        params: dict[str, Any] = {"resultsPerPage": PAGE_SIZE}
        wstart = window[0].isoformat() if window else None
        if window:
            params["lastModStartDate"] = window[0].strftime("%Y-%m-%dT%H:%M:%S.000Z")
            params["lastModEndDate"] = window[1].strftime("%Y-%m-%dT%H:%M:%S.000Z")
        start = 0
        if run.cursor.get("window_start") == wstart and run.cursor.get("next_index"):
            start = int(run.cursor["next_index"])
            run.resumed = True
        total: int | None = None
        while total is None or start < total:
            where = f"{url}?startIndex={start}"
            page = load_json(
                source.get(url, params={**params, "startIndex": start}, headers=headers), where
            )
            records, total = parse_page(page, where, run.warn)
            step = int(page.get("resultsPerPage") or len(records) or PAGE_SIZE)
            nxt = start + max(step, 1)
            cursor = {"window_start": wstart, "next_index": nxt}
            run.unit(
                RecordBatch(records, source="nvd", origin="nvd-api", stamp=where),
                cursor=cursor,
            )
            run.tell(min(nxt, total), total, "nvd")
            start = nxt

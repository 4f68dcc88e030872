"""NVD JSON 1.1 feed files (year subsets, ``modified`` and ``recent`` deltas), converted to 2.0.

Mirror layout: ``nvd-1.1/nvdcve-1.1-*.json.gz`` with optional ``.meta`` files. The ``.meta``
``sha256`` is of the *uncompressed* JSON; a mismatch refuses the file (warning, old data kept).
Year files are imported first, then ``modified``, then ``recent``; a record replaces an older
copy of itself, never a newer one. Each file is one transaction.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError, FeedUnavailable
from soupwatch.intel.interface import IntelSink, ProgressCallback, RecordBatch, SyncResult
from soupwatch.intel.records import ParsedRecord, english, parse_datetime, record_parser
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, gunzip, load_json, read_mirror_file, sha256_hex
from soupwatch.model import CvssScore

NVD_LEGACY_URL = "https://nvd.nist.gov/feeds/json/cve/1.1"
DEFAULT_NAMES = (*(str(y) for y in range(2002, 2024)), "modified", "recent")
_RANGE_KEYS = (
    "versionStartIncluding",
    "versionStartExcluding",
    "versionEndIncluding",
    "versionEndExcluding",
)


def _cpe_match(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "vulnerable": bool(item.get("vulnerable")),
        "criteria": item.get("cpe23Uri", ""),
    }
    for key in _RANGE_KEYS:
        if item.get(key):
            out[key] = item[key]
    return out


def _leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    if not node.get("children"):
        return [
            {
                "operator": node.get("operator", "OR"),
                "negate": bool(node.get("negate")),
                "cpeMatch": [_cpe_match(m) for m in node.get("cpe_match") or ()],
            }
        ]
    leaves = []
    for child in node["children"]:
        leaves.extend(_leaves(child))
    return leaves


def convert_configurations(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """1.1 ``configurations.nodes`` → API 2.0 ``configurations`` (see intel.interface)."""
    configs: list[dict[str, Any]] = []
    for node in nodes:
        if node.get("children"):
            config: dict[str, Any] = {
                "operator": node.get("operator", "AND"),
                "nodes": _leaves(node),
            }
            if node.get("negate"):
                config["negate"] = True
            configs.append(config)
        elif node.get("cpe_match"):
            configs.append({"nodes": _leaves(node)})
    return configs


@record_parser(1)
def parse_item(item: dict[str, Any], where: str) -> ParsedRecord:
    """One 1.1 ``CVE_Items`` entry as a record in the 2.0 shape."""
    cve = item.get("cve") or {}
    vid = (cve.get("CVE_data_meta") or {}).get("ID")
    if not isinstance(vid, str) or not vid.startswith("CVE-"):
        raise FeedFormatError("item without CVE_data_meta.ID", path=where)
    summary = english((cve.get("description") or {}).get("description_data"))
    record = ParsedRecord(
        vuln_id=vid,
        namespace="nvd",
        summary=summary,
        published=parse_datetime(item.get("publishedDate")),
        modified=parse_datetime(item.get("lastModifiedDate")),
        withdrawn=bool(summary and summary.startswith("** REJECT **")),
        assigner=(cve.get("CVE_data_meta") or {}).get("ASSIGNER"),
    )
    impact = item.get("impact") or {}
    for metric_key, data_key in (("baseMetricV3", "cvssV3"), ("baseMetricV2", "cvssV2")):
        data = (impact.get(metric_key) or {}).get(data_key) or {}
        vector, score = data.get("vectorString"), data.get("baseScore")
        if isinstance(vector, str) and isinstance(score, int | float):
            record.cvss.append(
                CvssScore(
                    version=str(data.get("version") or "2.0"),
                    vector=vector,
                    score=float(score),
                    source="nvd@nist.gov",
                    type="Primary",
                )
            )
    for problem in (cve.get("problemtype") or {}).get("problemtype_data") or ():
        for desc in problem.get("description") or ():
            if str(desc.get("value", "")).startswith("CWE-"):
                record.cwes.append(desc["value"])
    refs = (cve.get("references") or {}).get("reference_data") or ()
    record.references = [r["url"] for r in refs if r.get("url")]
    configs = convert_configurations((item.get("configurations") or {}).get("nodes") or [])
    record.configurations = configs or None
    return record


@record_parser(1)
def parse_feed(doc: Any, where: str, warn: Any) -> list[ParsedRecord]:
    """Records of one 1.1 feed file; unknown versions raise, bad items are warned and skipped."""
    if not isinstance(doc, dict) or not isinstance(doc.get("CVE_Items"), list):
        raise FeedFormatError("not an NVD 1.1 feed (no CVE_Items)", path=where)
    if str(doc.get("CVE_data_version")) != "4.0":
        raise FeedFormatError(
            f"unknown CVE_data_version {doc.get('CVE_data_version')!r}",
            path=where,
            where="$.CVE_data_version",
        )
    records = []
    for index, item in enumerate(doc["CVE_Items"]):
        try:
            records.append(parse_item(item, where))
        except (FeedFormatError, AttributeError, TypeError) as err:
            warn(f"{where} ($.CVE_Items[{index}]): item skipped: {err}")
    return records


def meta_sha256(meta: bytes) -> str | None:
    """The ``sha256:`` line of a ``.meta`` file, upper-cased hex, if any."""
    for line in meta.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sha256":
            return value.strip().upper()
    return None


def _order(name: str) -> tuple[int, str]:
    return (1 if "modified" in name else 2 if "recent" in name else 0, name)


class NvdLegacyFeed:
    """NVD JSON 1.1 feed files, verified against ``.meta`` and converted to the 2.0 shape."""

    name = "nvd-legacy"

    def __init__(self, names: tuple[str, ...] = DEFAULT_NAMES) -> None:
        self.names = names

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Import every feed file not yet imported with the same content."""
        run = FeedRun(sink, self.name, source.clock, progress)
        files = self._files(source, run)
        failures: list[FeedUnavailable] = []
        for done, (name, fetch) in enumerate(files):
            run.tell(done, len(files), name)
            try:
                raw, meta = fetch()
            except FeedUnavailable as err:
                failures.append(err)
                run.warn(str(err))
                continue
            self._import(run, name, raw, meta)
        run.tell(len(files), len(files), self.name)
        if files and len(failures) == len(files):
            raise failures[0]
        return run.finish(advance=not failures)

    def _files(self, source: FeedSource, run: FeedRun) -> list[tuple[str, Any]]:
        if source.mirror is not None:
            paths = sorted(
                (source.mirror / "nvd-1.1").glob("nvdcve-1.1-*.json.gz"),
                key=lambda p: _order(p.name),
            )
            if not paths:
                run.warn(f"{source.mirror / 'nvd-1.1'}: no nvdcve-1.1-*.json.gz files")
            return [(f"nvd-1.1/{p.name}", partial(_read_mirror, p)) for p in paths]
        base = source.url(self.name, NVD_LEGACY_URL)
        return [
            (f"nvd-1.1/nvdcve-1.1-{n}.json.gz", partial(_read_http, source, base, n))
            for n in sorted(self.names, key=_order)
        ]

    def _import(self, run: FeedRun, name: str, raw: bytes, meta: bytes | None) -> None:
        sha = sha256_hex(raw)
        if run.is_done(name, sha):
            run.resumed = True
            return
        try:
            data = gunzip(raw, name)
            expected = meta_sha256(meta) if meta is not None else None
            if expected and sha256_hex(data).upper() != expected:
                raise FeedFormatError(
                    "sha256 of the uncompressed JSON does not match .meta "
                    f"({expected[:12]}…); file refused",
                    path=name,
                )
            records = parse_feed(load_json(data, name), name, run.warn)
        except FeedLimitError:  # a limit stops the feed; a corrupt file is a warning
            raise
        except FeedFormatError as err:
            run.warn(str(err))
            return
        run.unit(
            RecordBatch(records, source="nvd", origin=name, stamp=sha),
            file=name,
            sha256=sha,
        )


def _read_mirror(path: Path) -> tuple[bytes, bytes | None]:
    meta = path.with_name(path.name.replace(".json.gz", ".meta"))
    return read_mirror_file(path), read_mirror_file(meta) if meta.is_file() else None


def _read_http(source: FeedSource, base: str, name: str) -> tuple[bytes, bytes | None]:
    meta: bytes | None
    try:
        meta = source.get(f"{base}/nvdcve-1.1-{name}.meta")
    except FeedUnavailable:
        meta = None
    return source.get(f"{base}/nvdcve-1.1-{name}.json.gz"), meta

"""CVE JSON 5 records written by the CNAs themselves (the CVE Program's bulk layout).

Mirror: ``cve5/*.zip`` holding ``cves/YYYY/NNxxx/CVE-*.json``. Over HTTP: the newest
``cvelistV5`` GitHub release's ``…_all_CVEs_at_midnight.zip.zip`` (a zip inside a zip), found
through the GitHub releases API. Every CNA ``affected`` item is stored as-is and indexed by
lower(product) and lower(packageName); CNA CVSS (v2.0–v4.0) is stored with source = the
assigner and type ``Secondary``. Imported in chunks of 1,000 records, each one transaction.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError, FeedUnavailable
from soupwatch.intel.bulk import import_members
from soupwatch.intel.interface import IntelSink, ProgressCallback, SyncResult
from soupwatch.intel.records import ParsedRecord, english, parse_datetime, record_parser
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json, read_mirror_file, sha256_hex, zip_members
from soupwatch.model import CvssScore, SsvcAssertion

CVE5_RELEASES_URL = "https://api.github.com/repos/CVEProject/cvelistV5/releases/latest"
_METRICS = (("cvssV4_0", "4.0"), ("cvssV3_1", "3.1"), ("cvssV3_0", "3.0"), ("cvssV2_0", "2.0"))
_NOT_NAMES = {"", "n/a", "unknown", "*"}
KNOWN_CNAS = {"f4215fc3-5b6b-47ff-a258-f7189bd81038": "Linux"}
"""CNA org ids whose records carry no ``assignerShortName`` (the kernel CNA's bulk files)."""


def _assigner(meta: dict[str, Any], cna: dict[str, Any]) -> str:
    provider = cna.get("providerMetadata") or {}
    org = str(meta.get("assignerOrgId") or provider.get("orgId") or "")
    return str(
        meta.get("assignerShortName")
        or provider.get("shortName")
        or KNOWN_CNAS.get(org)
        or org
        or "cna"
    )


def _check(doc: Any, where: str) -> tuple[str, dict[str, Any]]:
    """The record's id and ``cveMetadata``; a document that is not a CVE 5 record raises."""
    if not isinstance(doc, dict) or doc.get("dataType") != "CVE_RECORD":
        raise FeedFormatError("not a CVE JSON 5 record (dataType is not CVE_RECORD)", path=where)
    version = str(doc.get("dataVersion", ""))
    if not version.startswith("5."):
        raise FeedFormatError(
            f"unknown CVE JSON dataVersion {version!r}", path=where, where="$.dataVersion"
        )
    meta = doc.get("cveMetadata") or {}
    vid = meta.get("cveId")
    if not isinstance(vid, str) or not vid.startswith("CVE-"):
        raise FeedFormatError("record without cveMetadata.cveId", path=where)
    return vid, meta


def _scores(metrics: Any, source: str) -> list[CvssScore]:
    """The CVSS scores of a container's ``metrics`` list (v2.0–v4.0), attributed to ``source``."""
    out: list[CvssScore] = []
    for metric in metrics if isinstance(metrics, list) else ():
        for key, default_version in _METRICS:
            data = metric.get(key) if isinstance(metric, dict) else None
            if (
                isinstance(data, dict)
                and isinstance(data.get("vectorString"), str)
                and isinstance(data.get("baseScore"), int | float)
            ):
                out.append(
                    CvssScore(
                        version=str(data.get("version") or default_version),
                        vector=data["vectorString"],
                        score=float(data["baseScore"]),
                        source=source,
                        type="Secondary",
                    )
                )
    return out


def _cwes(container: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for problem in container.get("problemTypes") or ():
        for desc in (problem.get("descriptions") or ()) if isinstance(problem, dict) else ():
            if isinstance(desc, dict) and isinstance(desc.get("cweId"), str):
                out.append(desc["cweId"])
    return out


def _ssvc(vid: str, metrics: Any, provider: str, feed: str) -> list[SsvcAssertion]:
    """The ``other``/``ssvc`` blocks of an ADP container's metrics (CISA Vulnrichment)."""
    out: list[SsvcAssertion] = []
    for metric in metrics if isinstance(metrics, list) else ():
        other = metric.get("other") if isinstance(metric, dict) else None
        if not isinstance(other, dict) or str(other.get("type", "")).lower() != "ssvc":
            continue
        content = other.get("content")
        if not isinstance(content, dict):
            continue
        points: dict[str, str] = {}
        for option in content.get("options") or ():
            if isinstance(option, dict):
                for name, value in option.items():
                    if isinstance(value, str):
                        points[str(name).strip().lower()] = value.strip().lower()
        out.append(
            SsvcAssertion(
                cve=vid,
                provider=provider,
                exploitation=points.get("exploitation"),
                automatable=points.get("automatable"),
                technical_impact=points.get("technical impact"),
                assessed_at=parse_datetime(content.get("timestamp")),
                feed=feed,
                version=str(content["version"]) if content.get("version") else None,
            )
        )
    return out


def read_adp(doc: dict[str, Any], vid: str, record: ParsedRecord, feed: str) -> None:
    """Add the ADP containers' CVSS, CWEs and SSVC blocks to ``record``.

    Each ADP (``containers.adp[]``, e.g. CISA's ``CISA-ADP``) is its own source: its scores carry
    its short name, so a CNA score and an ADP score for the same CVE both stay (and disagree in
    the open). ADP ``affected`` entries (CPEs CISA adds) are not used for matching: the CNA's
    own ranges and NVD's configurations are the matching data.
    """
    for adp in (doc.get("containers") or {}).get("adp") or ():
        if not isinstance(adp, dict):
            continue
        provider = str((adp.get("providerMetadata") or {}).get("shortName") or "ADP")
        record.cvss.extend(_scores(adp.get("metrics"), provider))
        record.cwes.extend(_cwes(adp))
        record.ssvc.extend(_ssvc(vid, adp.get("metrics"), provider, feed))


@record_parser(1)
def parse_adp_record(doc: Any, where: str, feed: str) -> ParsedRecord:
    """Only the ADP part of a CVE 5 record (namespace ``adp``), for the Vulnrichment feed."""
    vid, meta = _check(doc, where)
    updated = [
        parse_datetime((a.get("providerMetadata") or {}).get("dateUpdated"))
        for a in (doc.get("containers") or {}).get("adp") or ()
        if isinstance(a, dict)
    ]
    known = [u for u in updated if u is not None]
    record = ParsedRecord(
        vuln_id=vid,
        namespace="adp",
        published=parse_datetime(meta.get("datePublished")),
        modified=max(known) if known else parse_datetime(meta.get("dateUpdated")),
        withdrawn=meta.get("state") == "REJECTED",
        assigner="ADP",
        status=meta.get("state"),
    )
    read_adp(doc, vid, record, feed)
    return record


@record_parser(1)
def parse_record(doc: Any, where: str) -> ParsedRecord:
    """One CVE JSON 5 record; unknown data versions and records without an id raise."""
    vid, meta = _check(doc, where)
    cna = (doc.get("containers") or {}).get("cna") or {}
    assigner = _assigner(meta, cna)
    record = ParsedRecord(
        vuln_id=vid,
        namespace="cve5",
        summary=english(cna.get("descriptions")),
        published=parse_datetime(meta.get("datePublished")),
        modified=parse_datetime(
            meta.get("dateUpdated")
            or meta.get("datePublished")
            or (cna.get("providerMetadata") or {}).get("dateUpdated")
        ),
        withdrawn=meta.get("state") == "REJECTED",
        assigner=assigner,
        status=meta.get("state"),
    )
    record.cvss.extend(_scores(cna.get("metrics"), assigner))
    record.cwes.extend(_cwes(cna))
    read_adp(doc, vid, record, "cve5")
    record.references = [r["url"] for r in cna.get("references") or () if r.get("url")]
    for item in cna.get("affected") or ():
        if not isinstance(item, dict):
            continue
        keys = {str(item.get(k) or "").strip().lower() for k in ("product", "packageName")}
        for key in sorted(keys - _NOT_NAMES):
            record.cna_affected.append((key, item))
    return record


def _parse_member(archive: str, member: str, data: bytes) -> list[ParsedRecord]:
    name = member.rsplit("/", 1)[-1]
    if not (name.startswith("CVE-") and name.endswith(".json")):
        return []
    where = f"{archive}!{member}"
    return [parse_record(load_json(data, where), where)]


class Cve5Feed:
    """CVE JSON 5 bulk records (CNA affected ranges, CNA CVSS, CWE, descriptions)."""

    name = "cve5"

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Import each bulk zip not yet imported with the same content (resuming by chunk)."""
        run = FeedRun(sink, self.name, source.clock, progress)
        if source.mirror is not None:
            zips = sorted((source.mirror / "cve5").glob("*.zip"))
            if not zips:
                run.warn(f"{source.mirror / 'cve5'}: no *.zip")
            for path in zips:
                self._import(run, source, f"cve5/{path.name}", read_mirror_file(path))
        else:
            name, raw = self._download(source)
            self._import(run, source, name, raw)
        return run.finish()

    def _download(self, source: FeedSource) -> tuple[str, bytes]:
        api = source.url(self.name, CVE5_RELEASES_URL)
        release = load_json(source.get(api), api)
        assets = [
            a
            for a in (release.get("assets") or [])
            if isinstance(a, dict)
            and str(a.get("name", "")).endswith("_all_CVEs_at_midnight.zip.zip")
        ]
        if not assets:
            raise FeedUnavailable(
                "no *_all_CVEs_at_midnight.zip.zip asset in the latest release", path=api
            )
        url = str(assets[0]["browser_download_url"])
        return f"cve5/{assets[0]['name']}", source.get(url)

    def _import(self, run: FeedRun, source: FeedSource, name: str, raw: bytes) -> None:
        sha = sha256_hex(raw)
        if run.is_done(name, sha):
            run.resumed = True
            return
        try:
            archive, total = raw, count_members(raw, name)
            if total == 1:  # the GitHub release asset is a zip holding one zip
                outer = dataclasses.replace(
                    source.limits, max_member_bytes=source.limits.max_total_bytes
                )
                _, archive = next(zip_members(raw, name, outer, run.warn))
                total = count_members(archive, name)
        except FeedLimitError:  # a limit stops the feed; a corrupt file is a warning
            raise
        except (FeedFormatError, StopIteration) as err:
            run.warn(str(err) or f"{name}: empty archive")
            return
        members = zip_members(archive, name, source.limits, run.warn)
        import_members(
            run,
            name=name,
            sha=sha,
            members=members,
            total=total,
            parse=lambda m, d: _parse_member(name, m, d),
            source="cve5",
        )


def count_members(data: bytes, name: str) -> int:
    """How many files a zip holds; a corrupt zip raises ``FeedFormatError``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(1 for info in archive.infolist() if not info.is_dir())
    except (zipfile.BadZipFile, OSError) as err:
        raise FeedFormatError(f"corrupt zip: {err}", path=name) from err

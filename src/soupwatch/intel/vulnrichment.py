"""CISA Vulnrichment: the ADP container CISA adds to CVE records (SSVC, CVSS 3.1, CWE).

Mirror: ``vulnrichment/*.zip`` holding ``YYYY/NNxxx/CVE-….json`` (whole CVE JSON 5 records, as
the ``cisagov/vulnrichment`` repository lays them out). Over HTTP: the repository's branch
archive (``…/archive/refs/heads/develop.zip``), the same files under one top folder. Only the ADP
part of each record is stored (namespace ``adp``): the CNA part comes from the ``cve5`` feed,
which also reads ADP containers where the CVE Program's bulk download carries them.
"""

from __future__ import annotations

from soupwatch.intel.bulk import import_members
from soupwatch.intel.cve5 import count_members, parse_adp_record
from soupwatch.intel.interface import IntelSink, ProgressCallback, SyncResult
from soupwatch.intel.records import ParsedRecord
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json, read_mirror_file, sha256_hex, zip_members

VULNRICHMENT_URL = "https://github.com/cisagov/vulnrichment/archive/refs/heads/develop.zip"


def _parse_member(archive: str, member: str, data: bytes) -> list[ParsedRecord]:
    name = member.rsplit("/", 1)[-1]
    if not (name.startswith("CVE-") and name.endswith(".json")):
        return []
    where = f"{archive}!{member}"
    record = parse_adp_record(load_json(data, where), where, "vulnrichment")
    return [record] if (record.ssvc or record.cvss or record.cwes) else []


class VulnrichmentFeed:
    """CISA ADP enrichment: SSVC Exploitation / Automatable / Technical Impact, CVSS, CWE."""

    name = "vulnrichment"

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Import each archive not yet imported with the same content (resuming by chunk)."""
        run = FeedRun(sink, self.name, source.clock, progress)
        if source.mirror is not None:
            zips = sorted((source.mirror / "vulnrichment").glob("*.zip"))
            if not zips:
                run.warn(f"{source.mirror / 'vulnrichment'}: no *.zip")
            for path in zips:
                self._import(run, source, f"vulnrichment/{path.name}", read_mirror_file(path))
        else:
            url = source.url(self.name, VULNRICHMENT_URL)
            self._import(run, source, "vulnrichment/develop.zip", source.get(url))
        return run.finish()

    def _import(self, run: FeedRun, source: FeedSource, name: str, raw: bytes) -> None:
        sha = sha256_hex(raw)
        if run.is_done(name, sha):
            run.resumed = True
            return
        total = count_members(raw, name)
        import_members(
            run,
            name=name,
            sha=sha,
            members=zip_members(raw, name, source.limits, run.warn),
            total=total,
            parse=lambda m, d: _parse_member(name, m, d),
            source="vulnrichment",
        )

"""OSV advisories: per-ecosystem ``all.zip`` exports and single advisory JSON files.

Mirror layout (see the mirror's README): ``osv/<Ecosystem>/all.zip`` or
``osv/<Ecosystem>/<release>/all.zip`` (``AlmaLinux/9`` → ``AlmaLinux:9``), and folders of single
advisories (``osv/PSF/*.json``, ``osv/github-advisory-database/**/GHSA-*.json``). Over HTTP:
``<base>/<Ecosystem>/all.zip`` from the public OSV bucket. Records are namespaced per export
(``osv/AlmaLinux:9``), because one advisory id can appear in several releases' exports with
different ``affected`` lists.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError, FeedUnavailable
from soupwatch.intel.bulk import import_members
from soupwatch.intel.cvss_scores import score_vector
from soupwatch.intel.interface import IntelSink, ProgressCallback, SyncResult
from soupwatch.intel.records import ParsedRecord, parse_datetime, record_parser
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json, read_mirror_file, sha256_hex, zip_members

OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("PyPI", "Maven", "npm", "NuGet", "AlmaLinux:8", "AlmaLinux:9", "AlmaLinux:10")
_SEVERITY_VERSIONS = {"CVSS_V2": "2.0", "CVSS_V3": None, "CVSS_V4": "4.0"}


@record_parser(1)
def parse_advisory(doc: Any, where: str, namespace: str) -> ParsedRecord:
    """One OSV advisory as a record; FeedFormatError on an unknown schema or a missing id."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not doc["id"]:
        raise FeedFormatError("not an OSV advisory (no 'id')", path=where)
    schema = str(doc.get("schema_version") or "1")
    if not schema.startswith("1"):
        raise FeedFormatError(
            f"unknown OSV schema_version {schema!r}", path=where, where="$.schema_version"
        )
    details = doc.get("details")
    summary = doc.get("summary") or (details.strip().split("\n", 1)[0] if details else None)
    record = ParsedRecord(
        vuln_id=doc["id"],
        namespace=namespace,
        summary=summary,
        published=parse_datetime(doc.get("published")),
        modified=parse_datetime(doc.get("modified")),
        withdrawn=bool(doc.get("withdrawn")),
        aliases=[a for a in doc.get("aliases") or () if isinstance(a, str)],
    )
    for severity in doc.get("severity") or ():
        kind, vector = severity.get("type"), severity.get("score")
        if kind in _SEVERITY_VERSIONS and isinstance(vector, str):
            score = score_vector(vector, _SEVERITY_VERSIONS[kind], source=namespace)
            if score is not None:
                record.cvss.append(score)
    specific = doc.get("database_specific") or {}
    record.cwes = [c for c in specific.get("cwe_ids") or () if isinstance(c, str)]
    record.references = [r["url"] for r in doc.get("references") or () if r.get("url")]
    for index, item in enumerate(doc.get("affected") or ()):
        package = item.get("package") if isinstance(item, dict) else None
        if not isinstance(package, dict) or not package.get("name"):
            continue  # e.g. GIT-only affected items: no package to look up by
        ecosystem = package.get("ecosystem")
        if not isinstance(ecosystem, str) or not ecosystem:
            raise FeedFormatError(
                "affected package without an ecosystem",
                path=where,
                where=f"$.affected[{index}].package",
            )
        record.osv_affected.append((ecosystem, str(package["name"]), item))
    return record


def _parse_member(namespace: str, archive: str, member: str, data: bytes) -> list[ParsedRecord]:
    where = f"{archive}!{member}"
    if not member.endswith(".json"):
        return []
    return [parse_advisory(load_json(data, where), where, namespace)]


class OsvFeed:
    """OSV exports and single advisories."""

    name = "osv"

    def __init__(self, ecosystems: tuple[str, ...] = DEFAULT_ECOSYSTEMS) -> None:
        self.ecosystems = ecosystems

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Import every export and advisory folder not yet imported with the same content."""
        run = FeedRun(sink, self.name, source.clock, progress)
        if source.mirror is not None:
            self._sync_mirror(run, source, source.mirror / "osv")
            return run.finish()
        base = source.url(self.name, OSV_URL)
        failures: list[FeedUnavailable] = []
        for ecosystem in self.ecosystems:
            try:
                raw = source.get(f"{base}/{ecosystem}/all.zip")
            except FeedUnavailable as err:
                failures.append(err)
                run.warn(str(err))
                continue
            self._import_zip(run, source, f"osv/{ecosystem}/all.zip", ecosystem, raw)
        if self.ecosystems and len(failures) == len(self.ecosystems):
            raise failures[0]
        return run.finish(advance=not failures)

    def _sync_mirror(self, run: FeedRun, source: FeedSource, root: Path) -> None:
        if not root.is_dir():
            run.warn(f"{root}: no OSV folder in the mirror")
            return
        for zip_path in sorted(root.rglob("all.zip")):
            scope = ":".join(zip_path.parent.relative_to(root).parts)
            name = f"osv/{zip_path.relative_to(root).as_posix()}"
            self._import_zip(run, source, name, scope, read_mirror_file(zip_path, name))
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            files = sorted(p for p in folder.rglob("*.json") if p.name != "manifest.json")
            if files:
                scope = "GHSA" if folder.name == "github-advisory-database" else folder.name
                self._import_files(run, f"osv/{folder.name}", scope, files)

    def _import_zip(
        self, run: FeedRun, source: FeedSource, name: str, scope: str, raw: bytes
    ) -> None:
        sha = sha256_hex(raw)
        if run.is_done(name, sha):
            run.resumed = True
            return
        try:
            members = list(zip_members(raw, name, source.limits, run.warn))
        except FeedLimitError:  # a limit stops the feed; a corrupt file is a warning
            raise
        except FeedFormatError as err:
            run.warn(str(err))
            return
        import_members(
            run,
            name=name,
            sha=sha,
            members=members,
            total=len(members),
            parse=partial(_parse_member, f"osv/{scope}", name),
            source="osv",
        )

    def _import_files(self, run: FeedRun, name: str, scope: str, files: list[Path]) -> None:
        digest = hashlib.sha256()
        members = []
        for path in files:
            data = read_mirror_file(path)
            digest.update(path.name.encode() + b"\0" + data)
            members.append((path.name, data))
        sha = digest.hexdigest()
        if run.is_done(name, sha):
            run.resumed = True
            return
        import_members(
            run,
            name=name,
            sha=sha,
            members=members,
            total=len(members),
            parse=partial(_parse_member, f"osv/{scope}", name),
            source="osv",
        )

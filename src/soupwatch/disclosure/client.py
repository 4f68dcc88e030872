"""Read a CSAF provider back as an aggregator does (``soupwatch advisory fetch URL``).

From ``provider-metadata.json`` (validated against its schema) to each distribution
directory: ``index.txt`` and ``changes.csv`` (which must list the same files, changes.csv
newest first), then every listed document with its ``.sha256`` and ``.sha512`` (recomputed
and compared, file name included), validated like a publish (:func:`~soupwatch.disclosure.
publish.advisory_problems`: schema, mandatory tests) and checked against where it sits: the
file name from its tracking id, the year folder from its initial release, the TLP directory
from its label, the date changes.csv gives from its current release date. A directory that
answers 401/403 is reported as needing authentication (pass ``token``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from soupwatch.disclosure import layout
from soupwatch.disclosure.publish import advisory_problems
from soupwatch.disclosure.settings import SHIPPED_SCHEMAS
from soupwatch.errors import ReportError


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """One document read from a directory, and what is wrong with it (nothing: valid)."""

    url: str
    tracking_id: str
    sha256: str
    problems: tuple[str, ...]


@dataclass
class FetchResult:
    """What reading a provider found: its metadata, every document, every problem."""

    metadata: dict[str, Any]
    documents: list[FetchedDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Problems of the metadata and directories (documents carry their own)."""
    unauthorised: list[str] = field(default_factory=list)
    """Directories that asked for authentication."""

    @property
    def ok(self) -> bool:
        """No problem anywhere."""
        return not self.problems and all(not d.problems for d in self.documents)


class ProviderReader:
    """Reads one provider over ``client`` (an :class:`httpx.Client`; ``token`` is sent as
    ``Authorization: Bearer`` for the access-controlled directories)."""

    def __init__(
        self, client: httpx.Client, *, token: str | None = None, schemas: Path = SHIPPED_SCHEMAS
    ) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.schemas = schemas
        self.keys: list[bytes] = []

    def _get(self, url: str) -> httpx.Response:
        try:
            return self.client.get(url, headers=self.headers)
        except httpx.HTTPError as err:
            raise ReportError(f"cannot fetch: {err}", path=url) from err

    def _body(self, url: str) -> bytes:
        r = self._get(url)
        if r.status_code != 200:
            raise ReportError(f"HTTP {r.status_code}", path=url)
        return r.content

    def read(self, url: str) -> FetchResult:
        """Read the provider whose provider-metadata.json is at ``url``."""
        try:
            metadata = json.loads(self._body(url))
        except ValueError as err:
            raise ReportError(f"provider metadata is not JSON: {err}", path=url) from err
        result = FetchResult(metadata)
        result.problems += [f"{url}: {p}" for p in layout.metadata_problems(metadata)]
        self.keys = [
            self._body(k["url"])
            for k in metadata.get("public_openpgp_keys") or []
            if isinstance(k, dict) and isinstance(k.get("url"), str)
        ]
        for dist in metadata.get("distributions") or []:
            directory = dist.get("directory_url") if isinstance(dist, dict) else None
            if isinstance(directory, str):
                self._directory(directory, result)
        return result

    def _directory(self, directory: str, result: FetchResult) -> None:
        index = self._get(directory + "index.txt")
        if index.status_code in (401, 403):
            result.unauthorised.append(directory)
            return
        if index.status_code != 200:
            result.problems.append(f"{directory}index.txt: HTTP {index.status_code}")
            return
        listed = [line for line in index.text.splitlines() if line.strip()]
        changes = list(csv.reader(io.StringIO(self._body(directory + "changes.csv").decode())))
        dates = {row[0]: row[1] for row in changes if len(row) == 2}
        if sorted(dates) != sorted(listed) or len(changes) != len(listed):
            result.problems.append(f"{directory}: index.txt and changes.csv list other files")
        if [row[1] for row in changes] != sorted((row[1] for row in changes), reverse=True):
            result.problems.append(f"{directory}changes.csv: not newest first")
        tlp = directory.rstrip("/").rsplit("/", 1)[-1].upper()
        for path in listed:
            result.documents.append(self._document(directory, path, tlp, dates.get(path)))

    def _document(self, directory: str, path: str, tlp: str, date: str | None) -> FetchedDocument:
        url = directory + path
        body = self._body(url)
        problems: list[str] = []
        for algorithm in layout.HASHES:
            line = self._body(f"{url}.{algorithm}").decode().split()
            want = hashlib.new(algorithm, body).hexdigest()
            if len(line) != 2 or line[0].lower() != want or line[1] != path.rsplit("/", 1)[-1]:
                problems.append(f"{algorithm}: the .{algorithm} file does not match")
        if self.keys:
            problems += self._signature(url, body)
        try:
            doc = json.loads(body)
        except ValueError as err:
            return FetchedDocument(
                url, "?", hashlib.sha256(body).hexdigest(), (f"not JSON: {err}",)
            )
        problems += advisory_problems(doc, self.schemas)
        ident = "?"
        if not problems:
            tracking = doc["document"]["tracking"]
            ident = str(tracking["id"])
            if layout.csaf_path(doc) != path:
                problems.append(f"sits at {path}, not at {layout.csaf_path(doc)}")
            if doc["document"]["distribution"]["tlp"]["label"] != tlp:
                problems.append(f"TLP label is not {tlp} (its directory)")
            if date != layout.timestamp(_parse(tracking["current_release_date"])):
                problems.append(
                    f"changes.csv says {date}, the document {tracking['current_release_date']}"
                )
        return FetchedDocument(url, ident, hashlib.sha256(body).hexdigest(), tuple(problems))

    def _signature(self, url: str, body: bytes) -> list[str]:
        """Problems of the ``.asc`` beside ``url`` (none: it verifies with a listed key)."""
        from soupwatch.disclosure.signing import signature_problem

        r = self._get(url + ".asc")
        if r.status_code != 200:
            return [f"signature: no .asc (HTTP {r.status_code}) though the provider lists keys"]
        found = [signature_problem(key, body, r.content) for key in self.keys]
        return [] if None in found else [f"signature: {found[0]}"]


def _parse(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


def fetch_provider(url: str, *, token: str | None = None, timeout: float = 30.0) -> FetchResult:
    """Read the provider at ``url`` (its provider-metadata.json) with a fresh HTTP client."""
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return ProviderReader(client, token=token).read(url)

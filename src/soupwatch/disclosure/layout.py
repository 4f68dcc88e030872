"""The CSAF 2.0 provider directory, as files (pure: no store, no clock of its own).

https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html section 7::

    /.well-known/csaf/provider-metadata.json         7.1.7, 7.2.1
    /.well-known/csaf/<tlp>/index.txt                7.1.12: every CSAF file, one path a line
    /.well-known/csaf/<tlp>/changes.csv              7.1.13: "path","current_release_date",
                                                             newest first
    /.well-known/csaf/<tlp>/<yyyy>/<name>.json       7.1.11 (year of initial_release_date),
                                                             5.1 (name from the tracking id)
    …/<name>.json.sha256, .sha512                    7.1.18: ``<hex>  <name>`` (sha256sum)
    …/<name>.json.asc                                7.1.19: detached OpenPGP signature

VEX documents (OpenVEX, CycloneDX) sit beside the advisory as
``<yyyy>/<name>.<release>.openvex.json`` / ``.cdx.json``, with their own digests; they are
not CSAF, so index.txt and changes.csv do not list them (an aggregator validates each entry).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from soupwatch.errors import ReportError
from soupwatch.model.disclosure import DocumentKind, PublishedDocument, Tlp

WELL_KNOWN = "/.well-known/csaf"
METADATA = "provider-metadata.json"
HASHES = ("sha256", "sha512")
VEX_SUFFIX = {DocumentKind.OPENVEX: "openvex.json", DocumentKind.CYCLONEDX_VEX: "cdx.json"}
_NOT_IN_NAME = re.compile(r"[^+\-a-z0-9]+")


def file_name(tracking_id: str) -> str:
    """CSAF 2.0 section 5.1: the tracking id lower-cased, every run of characters other than
    ``+ - a-z 0-9`` replaced by ``_``, and ``.json``."""
    return _NOT_IN_NAME.sub("_", tracking_id.lower()) + ".json"


def csaf_path(doc: dict[str, Any]) -> str:
    """``<yyyy>/<name>.json`` of a CSAF document (the year of its initial release)."""
    tracking = doc["document"]["tracking"]
    year = str(tracking["initial_release_date"])[:4]
    return f"{year}/{file_name(str(tracking['id']))}"


def vex_path(advisory_path: str, release: str, kind: DocumentKind) -> str:
    """Where a release's VEX document sits beside the advisory at ``advisory_path``."""
    stem = advisory_path.removesuffix(".json")
    return f"{stem}.{_NOT_IN_NAME.sub('_', release.lower())}.{VEX_SUFFIX[kind]}"


def digests(body: bytes) -> tuple[str, str]:
    """SHA-256 and SHA-512 of ``body`` (hex)."""
    return hashlib.sha256(body).hexdigest(), hashlib.sha512(body).hexdigest()


def hash_file(digest: str, path: str) -> str:
    """The text of a ``.sha256``/``.sha512`` file: ``<hex>  <file name>`` (sha256sum)."""
    return f"{digest}  {path.rsplit('/', 1)[-1]}\n"


def encode(doc: dict[str, Any]) -> bytes:
    """The bytes served for a JSON document (UTF-8, indented, sorted keys: re-runs diff)."""
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def index_txt(docs: Iterable[PublishedDocument]) -> str:
    """index.txt: the path of every CSAF document of one directory, one a line, sorted."""
    return "".join(f"{d.path}\n" for d in sorted(docs, key=lambda d: d.path) if _csaf(d))


def changes_csv(docs: Iterable[PublishedDocument]) -> str:
    """changes.csv: ``"path","current_release_date"`` of every CSAF document, newest first."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    ordered = sorted(
        (d for d in docs if _csaf(d)), key=lambda d: (d.released, d.path), reverse=True
    )
    for d in ordered:
        writer.writerow([d.path, timestamp(d.released)])
    return out.getvalue()


def _csaf(d: PublishedDocument) -> bool:
    return d.kind is DocumentKind.CSAF


def timestamp(at: datetime) -> str:
    """``2026-12-05T06:00:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def directory_url(base_url: str, tlp: Tlp) -> str:
    """The distribution directory of ``tlp`` under ``base_url``."""
    return f"{base_url.rstrip('/')}{WELL_KNOWN}/{tlp.directory}/"


def provider_metadata(
    *,
    base_url: str,
    publisher: dict[str, str],
    tlps: Iterable[Tlp],
    last_updated: datetime,
    list_on_aggregators: bool = True,
    mirror_on_aggregators: bool = True,
    keys: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """provider-metadata.json (section 7.2.1) for the ``tlps`` directories (TLP:WHITE always),
    ``keys`` as ``(fingerprint, url)``; validated against its schema before it is returned."""
    directories = sorted({Tlp.WHITE, *tlps}, key=list(Tlp).index)
    doc: dict[str, Any] = {
        "canonical_url": f"{base_url.rstrip('/')}{WELL_KNOWN}/{METADATA}",
        "distributions": [{"directory_url": directory_url(base_url, t)} for t in directories],
        "last_updated": timestamp(last_updated),
        "list_on_CSAF_aggregators": list_on_aggregators,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": mirror_on_aggregators,
        "publisher": {k: v for k, v in sorted(publisher.items()) if v},
        "role": "csaf_provider",
    }
    found = [{"fingerprint": f, "url": u} for f, u in keys]
    if found:
        doc["public_openpgp_keys"] = found
    problems = metadata_problems(doc)
    if problems:
        raise ReportError(f"provider metadata is invalid: {problems[0]}", path=METADATA)
    return doc


@lru_cache(maxsize=1)
def _metadata_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (Path(__file__).with_name("provider_metadata.schema.json")).read_text(encoding="utf-8")
    )
    return schema


def metadata_problems(doc: Any) -> list[str]:
    """Violations of the provider metadata schema (``path: message``), first path first."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        _metadata_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]

"""Loading an SBOM file safely and telling its format from the content, never the name.

Order of checks: size (before reading a byte), emptiness, encoding (UTF-8, optional BOM,
UTF-16 with a BOM), then the first meaningful character: ``{``/``[`` is JSON, ``<`` is XML
(parsed with defusedxml: DTD entities, external entities and entity bombs are refused),
otherwise SPDX tag-value, SPDX YAML or SPDX RDF/Turtle by their first keywords.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from soupwatch.errors import SbomFormatError

DEFAULT_MAX_BYTES = 1 << 30
"""Files above this size (1 GiB) are refused before they are read."""

_TAG_VALUE = re.compile(r"^\s*SPDXVersion\s*:", re.M)
_YAML = re.compile(r"^spdxVersion\s*:", re.M)
_XML_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")
_TURTLE = re.compile(r"@prefix\s|^PREFIX\s", re.M | re.I)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A file's content, parsed as far as needed to know its format.

    ``kind`` is a reader registry key; ``data`` is a JSON-like value, an XML element
    or the text, depending on the kind.
    """

    kind: str
    data: Any
    text: str


def _fail(path: Path, message: str, where: str | None = None) -> SbomFormatError:
    return SbomFormatError(message, path=path.name, where=where)


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file as text: refuses missing, oversized, empty and non-UTF-8 files."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise _fail(path, f"cannot read file: {err.strerror or err}") from err
    if size > max_bytes:
        raise _fail(
            path,
            f"file is {size:,} bytes, above the {max_bytes:,}-byte limit; "
            "refused without reading it",
        )
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise _fail(path, f"cannot read file: {err.strerror or err}") from err
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise _fail(path, f"invalid UTF-16: {err.reason}") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise _fail(
            path,
            f"not UTF-8 text: byte 0x{raw[err.start]:02x} at offset {err.start} cannot be decoded",
            f"line {line}",
        ) from err
    if not text.strip():
        raise _fail(path, "empty file: no SBOM content")
    return text


def load(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Read and classify ``path``; SbomFormatError with file and place on any problem."""
    text = read_text(path, max_bytes)
    head = text.lstrip()
    if head[0] in "{[":
        return _load_json(path, text)
    if head[0] == "<":
        return _load_xml(path, text)
    if _TAG_VALUE.search(text):
        return Loaded("spdx-tag-value", None, text)
    if _YAML.search(text):
        return _load_yaml(path, text)
    if _TURTLE.search(text) and "spdx.org/rdf/terms" in text:
        return Loaded("spdx-turtle", None, text)
    first = head.splitlines()[0][:60]
    raise _fail(
        path,
        f"not an SBOM: neither JSON, XML, SPDX tag-value, YAML nor Turtle (starts with {first!r})",
        "line 1",
    )


def _load_json(path: Path, text: str) -> Loaded:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _fail(
            path, f"invalid JSON: {err.msg}", f"line {err.lineno}, column {err.colno}"
        ) from err
    except RecursionError as err:
        raise _fail(path, "invalid JSON: nested too deeply") from err
    if isinstance(data, dict):
        if str(data.get("bomFormat")).lower() == "cyclonedx":
            return Loaded("cyclonedx-json", data, text)
        if "spdxVersion" in data:
            return Loaded("spdx-json", data, text)
        if "@context" in data and "spdx.org/rdf/3" in json.dumps(data["@context"]):
            return Loaded("spdx3-jsonld", data, text)
    raise _fail(path, f"not an SBOM: {describe_json(data)}", "$")


def describe_json(data: Any) -> str:
    """Say what a JSON value that is neither CycloneDX nor SPDX looks like."""
    if isinstance(data, list):
        keys: set[str] = set().union(*(d.keys() for d in data[:50] if isinstance(d, dict)))
        if {"vendor", "component"} <= keys or ({"component", "purl"} <= keys):
            return (
                f"a JSON list of {len(data)} objects with keys like 'vendor', 'component', "
                "'purl' (looks like a SCANOSS component list), not CycloneDX or SPDX"
            )
        return f"a JSON list of {len(data)} items, not a CycloneDX or SPDX document"
    if isinstance(data, dict):
        values = [v for v in list(data.values())[:50]]
        if (
            values
            and all(isinstance(v, list) for v in values)
            and any(
                isinstance(m, dict) and "id" in m and ("matched" in m or "purl" in m)
                for v in values
                for m in v[:3]
            )
        ):
            return (
                f"a JSON object keyed by {len(data)} file paths with match lists "
                "(looks like SCANOSS scan results), not CycloneDX or SPDX"
            )
        if "bomFormat" in data:
            return f"bomFormat is {data['bomFormat']!r}, expected 'CycloneDX'"
        shown = ", ".join(sorted(map(str, data))[:6])
        return f"a JSON object without bomFormat or spdxVersion (keys: {shown})"
    return f"a JSON {type(data).__name__}, not a CycloneDX or SPDX document"


def _load_xml(path: Path, text: str) -> Loaded:
    # the text is already decoded: drop the declared encoding and hand over UTF-8
    text = _XML_ENCODING.sub(r"\1", text, count=1)
    try:
        root = DET.fromstring(
            text.encode("utf-8"),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        )
    except DefusedXmlException as err:
        raise _fail(
            path,
            f"XML refused: it declares entities or external references "
            f"({err.__class__.__name__}); entity expansion is not allowed",
        ) from err
    except ET.ParseError as err:
        line, col = err.position
        raise _fail(
            path,
            f"invalid XML: {err.msg if hasattr(err, 'msg') else err}",
            f"line {line}, column {col + 1}",
        ) from err
    tag = root.tag
    ns, local = tag[1:].split("}", 1) if tag.startswith("{") else ("", tag)
    if local == "bom" and "cyclonedx.org/schema/bom/" in ns:
        return Loaded("cyclonedx-xml", root, text)
    if local == "RDF":
        return Loaded("spdx-rdf-xml", root, text)
    if local in ("Document", "SpdxDocument", "spdx"):
        return Loaded("spdx-xml", root, text)
    raise _fail(
        path,
        f"not an SBOM: XML root element is <{local}>{' in namespace ' + ns if ns else ''}",
        "line 1",
    )


def _load_yaml(path: Path, text: str) -> Loaded:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise _fail(path, f"invalid YAML: {err.problem}", where) from err
    except yaml.YAMLError as err:
        raise _fail(path, f"invalid YAML: {err}") from err
    if not isinstance(data, dict):
        raise _fail(path, "not an SBOM: YAML is not a mapping")
    return Loaded("spdx-yaml", data, text)

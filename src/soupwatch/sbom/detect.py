"""Loading an SBOM file safely and telling its format from the content, never the name.

Order of checks: size (before reading a byte), emptiness, encoding (UTF-8, optional BOM,
UTF-16 with a BOM), then the first meaningful character: ``{``/``[`` is JSON, ``<`` is XML
(parsed with defusedxml: DTD entities, external entities and entity bombs are refused),
otherwise SPDX tag-value, SPDX YAML or SPDX RDF/Turtle by their first keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from soupwatch.config import InputLimits, input_limits
from soupwatch.errors import SbomFormatError
from soupwatch.untrusted import (
    Fail,
    check_json_size,
    clean_text,
    decode_text,
    load_yaml,
    loads_json,
    looks_like_json,
    parse_xml,
    read_bytes,
)

DEFAULT_MAX_BYTES = InputLimits().max_input_bytes
"""Files above this size (1 GiB) are refused before they are read."""

# Linear-time patterns: ``[ \t]*`` where ``\s*`` would let a line start swallow the next
# lines (``x`` and 100,000 newlines took minutes), and the XML declaration is looked at only
# within its first 1,024 characters.
_TAG_VALUE = re.compile(r"^[ \t]*SPDXVersion[ \t]*:", re.M)
_YAML = re.compile(r"^spdxVersion[ \t]*:", re.M)
_XML_ENCODING = re.compile(r"""[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*["'][^"']*["']""")
_TURTLE = re.compile(r"@prefix\s|^PREFIX\s", re.M | re.I)
_XML_DECLARATION_CHARS = 1024


@dataclass(frozen=True, slots=True)
class Loaded:
    """A file's content, parsed as far as needed to know its format.

    ``kind`` is a reader registry key; ``data`` is a JSON-like value, an XML element
    or the text, depending on the kind. ``cleaned`` counts the strings whose NUL, control
    characters or lone surrogates were replaced by U+FFFD.
    """

    kind: str
    data: Any
    text: str
    cleaned: int = 0
    limits: InputLimits = field(default_factory=InputLimits)


def _fail(path: Path, message: str, where: str | None = None) -> SbomFormatError:
    return SbomFormatError(message, path=path.name, where=where)


def _failer(path: Path) -> Fail:
    return lambda message, where: _fail(path, message, where)


def effective_limits(limits: InputLimits | None, max_bytes: int | None) -> InputLimits:
    """The run's limits (``SOUPWATCH_LIMIT_*``), with the read size capped at ``max_bytes``."""
    base = limits if limits is not None else input_limits()
    if max_bytes is not None and max_bytes < base.max_input_bytes:
        return replace(base, max_input_bytes=max_bytes)
    return base


def read_text(path: Path, max_bytes: int | None = None, limits: InputLimits | None = None) -> str:
    """The file as text: refuses missing, non-regular, oversized, empty and non-UTF-8 files."""
    lim = effective_limits(limits, max_bytes)
    fail = _failer(path)
    raw = read_bytes(path, lim, fail)
    if looks_like_json(raw):  # counted before decoding: the text is a second copy
        check_json_size(raw, lim, fail)
    text = decode_text(raw, fail)
    del raw
    if not text.strip():
        raise _fail(path, "empty file: no SBOM content")
    return text


def load(path: Path, max_bytes: int | None = None, limits: InputLimits | None = None) -> Loaded:
    """Read and classify ``path``; SbomFormatError with file and place on any problem."""
    lim = effective_limits(limits, max_bytes)
    text = read_text(path, limits=lim)
    head = text.lstrip()
    if head[0] in "{[":
        return _load_json(path, text, lim)
    if head[0] == "<":
        return _load_xml(path, text, lim)
    if _TAG_VALUE.search(text):
        text, cleaned = clean_text(text)
        return Loaded("spdx-tag-value", None, text, cleaned, lim)
    if _YAML.search(text):
        return _load_yaml(path, text, lim)
    if _TURTLE.search(text) and "spdx.org/rdf/terms" in text:
        text, cleaned = clean_text(text)
        return Loaded("spdx-turtle", None, text, cleaned, lim)
    first = head[:200].splitlines()[0][:60]
    raise _fail(
        path,
        f"not an SBOM: neither JSON, XML, SPDX tag-value, YAML nor Turtle (starts with {first!r})",
        "line 1",
    )


def _load_json(path: Path, text: str, limits: InputLimits) -> Loaded:
    data, cleaned = loads_json(text, limits, _failer(path))
    if isinstance(data, dict):
        if str(data.get("bomFormat"))[:20].lower() == "cyclonedx":
            return Loaded("cyclonedx-json", data, text, cleaned, limits)
        if "spdxVersion" in data:
            return Loaded("spdx-json", data, text, cleaned, limits)
        context = data.get("@context")
        if context is not None and "spdx.org/rdf/3" in str(context)[:10_000]:
            return Loaded("spdx3-jsonld", data, text, cleaned, limits)
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


def _load_xml(path: Path, text: str, limits: InputLimits) -> Loaded:
    # the text is already decoded: drop the declared encoding and hand over UTF-8
    if text.startswith("<?xml"):
        end = text.find("?>", 0, _XML_DECLARATION_CHARS)
        if end > 0:
            text = _XML_ENCODING.sub("", text[:end], count=1) + text[end:]
    root = parse_xml(text, limits, _failer(path))
    tag = root.tag
    ns, local = tag[1:].split("}", 1) if tag.startswith("{") else ("", tag)
    if local == "bom" and "cyclonedx.org/schema/bom/" in ns:
        return Loaded("cyclonedx-xml", root, text, 0, limits)
    if local == "RDF":
        return Loaded("spdx-rdf-xml", root, text, 0, limits)
    if local in ("Document", "SpdxDocument", "spdx"):
        return Loaded("spdx-xml", root, text, 0, limits)
    where = f" in namespace {ns[:100]}" if ns else ""
    raise _fail(path, f"not an SBOM: XML root element is <{local[:60]}>{where}", "line 1")


def _load_yaml(path: Path, text: str, limits: InputLimits) -> Loaded:
    data, cleaned = load_yaml(text, limits, _failer(path))
    if not isinstance(data, dict):
        raise _fail(path, "not an SBOM: YAML is not a mapping")
    return Loaded("spdx-yaml", data, text, cleaned, limits)

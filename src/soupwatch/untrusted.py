"""Reading untrusted input within the named limits of :class:`~soupwatch.config.InputLimits`.

Every parser of outside input (SBOMs, VEX documents, feed records, device profiles, kernel
configs) reads files and parses JSON, YAML and XML through these functions, so a hostile file
meets the same limits everywhere and always ends in the caller's own error
(:class:`~soupwatch.errors.SbomFormatError`, :class:`~soupwatch.errors.VexError`, …) with a
one-line message naming the limit:

- only regular files are read, at most ``max_input_bytes`` of them (a FIFO, a device or
  ``/dev/zero`` is refused before a byte is read);
- a JSON document holds at most ``max_json_values`` values, counted from its separators
  before it is parsed (memory follows the parsed tree, not the bytes);
- JSON and YAML collections and XML elements nest at most ``max_depth`` deep (checked on the
  YAML event stream and while XML is parsed, before anything recursive sees the data);
- strings hold at most ``max_string_chars`` characters and integers ``max_number_digits``
  digits (Python refuses to print an integer of more than 4,300 digits);
- YAML aliases are refused (an alias bomb expands exponentially when walked);
- NUL, other C0 control characters, U+FFFE/U+FFFF and lone surrogates in strings — which no
  database, XML or UTF-8 export can carry — are replaced by U+FFFD and counted, so what is
  imported can always be exported again.

Callers pass ``fail(message, where)``, which builds the exception to raise.
"""

from __future__ import annotations

import io
import json
import re
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from soupwatch.config import InputLimits
from soupwatch.errors import SoupwatchError

Fail = Callable[[str, str | None], SoupwatchError]
"""Builds the caller's error from a message and a place (``line 3``, ``$.components``)."""

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters no export can carry: C0 controls but tab and line breaks (XML 1.0 forbids them,
PostgreSQL refuses NUL), lone surrogates (not encodable as UTF-8) and the non-characters."""
_JSON_RISKY_ESCAPE = re.compile(r"\\u(?:00[01]|[dD][89a-fA-F]|[fF]{3}[eEfF])")
_JSON_RISKY_ESCAPE_BYTES = re.compile(rb"\\u(?:00[01]|[dD][89a-fA-F]|[fF]{3}[eEfF])")
"""A JSON escape that may decode to an unstorable character (raw controls are invalid JSON;
raw U+FFFE and U+FFFF are looked for separately)."""
_UTF8_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
"""A surrogate encoded as UTF-8 (invalid UTF-8, yet ``json.loads`` of bytes decodes it with
``surrogatepass``: a lone surrogate in the parsed strings)."""
_YAML_NUMBER = re.compile(r"[-+]?[0-9][0-9_:.xXoObBa-fA-FeE+-]*")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def read_bytes(path: Path, limits: InputLimits, fail: Fail) -> bytes:
    """The bytes of a regular file of at most ``max_input_bytes``.

    FIFOs, sockets and devices are refused before they are opened (reading ``/dev/zero`` would
    never end); a file that grows while it is read is still cut at the limit.
    """
    try:
        info = path.stat()
    except OSError as err:
        raise fail(f"cannot read file: {err.strerror or err}", None) from err
    if not stat.S_ISREG(info.st_mode):
        raise fail(f"{_kind(info.st_mode)}, not a regular file: refused without reading it", None)
    limit = limits.max_input_bytes
    if info.st_size > limit:
        raise fail(
            f"file is {info.st_size:,} bytes, above the {limit:,}-byte limit "
            f"({limits.describe('max_input_bytes')}); refused without reading it",
            None,
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as err:
        raise fail(f"cannot read file: {err.strerror or err}", None) from err
    if len(raw) > limit:
        limit_name = limits.describe("max_input_bytes")
        raise fail(f"file grew past the {limit:,}-byte limit while read ({limit_name})", None)
    return raw


_JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{]")


def looks_like_json(raw: bytes) -> bool:
    """True when the bytes open like a JSON document (after an optional BOM and whitespace)."""
    return _JSON_START.match(raw) is not None


def read_json(path: Path, limits: InputLimits, fail: Fail) -> tuple[Any, int]:
    """A JSON file within the limits: its size and values are counted on the bytes before they
    are decoded (the text is a second copy: a 500 MB document of 250 million values peaked at
    1.1 GB when it was refused after decoding)."""
    raw = read_bytes(path, limits, fail)
    check_json_size(raw, limits, fail)
    text = decode_text(raw, fail)
    del raw
    return loads_json(text, limits, fail)


def decode_text(raw: bytes, fail: Fail) -> str:
    """UTF-8 (an optional BOM) or UTF-16 with a BOM; the failing byte and line otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise fail(f"invalid UTF-16: {err.reason}", None) from err
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise fail(
            f"not UTF-8 text: byte 0x{raw[err.start]:02x} at offset {err.start} cannot be decoded",
            f"line {line}",
        ) from err


def clean_text(text: str) -> tuple[str, int]:
    """``text`` with every unstorable character replaced by U+FFFD, and how many there were."""
    return _UNSTORABLE.subn(REPLACEMENT, text)


def _too_deep(limits: InputLimits, fail: Fail, where: str | None = None) -> SoupwatchError:
    return fail(
        f"nested deeper than {limits.max_depth} levels ({limits.describe('max_depth')})", where
    )


def check_json_size(text: str | bytes, limits: InputLimits, fail: Fail) -> None:
    """Refuse a document over ``max_input_bytes`` or ``max_json_values`` before parsing it:
    its bytes come from anywhere (a feed archive member, an HTTP body), not only from
    :func:`read_bytes`, and the parsed tree costs many times its text."""
    if len(text) > limits.max_input_bytes:
        raise fail(
            f"a JSON document of {len(text):,} bytes ({limits.describe('max_input_bytes')})", None
        )
    if isinstance(text, bytes):
        seps = (b",", b":", b"[", b"{")
        values = 1 + sum(text.count(sep) for sep in seps)
    else:
        values = 1 + sum(text.count(sep) for sep in (",", ":", "[", "{"))
    if values > limits.max_json_values:
        raise fail(
            f"a JSON document of up to {values:,} values ({limits.describe('max_json_values')})",
            None,
        )


def loads_json(
    text: str | bytes, limits: InputLimits, fail: Fail, *, refuse_unstorable: bool = False
) -> tuple[Any, int]:
    """Parse JSON within the limits; returns the value and the number of strings cleaned.
    ``refuse_unstorable``: a string holding an unstorable character is refused (``fail``,
    naming its key) instead of cleaned: a request's sender can send it again, a supplier's
    file cannot be sent again."""
    check_json_size(text, limits, fail)

    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.max_number_digits:
            raise fail(
                f"a number of {len(digits.lstrip('-')):,} digits "
                f"({limits.describe('max_number_digits')})",
                None,
            )
        return int(digits)

    try:
        data = json.loads(text, parse_int=parse_int)
    except json.JSONDecodeError as err:
        raise fail(f"invalid JSON: {err.msg}", f"line {err.lineno}, column {err.colno}") from err
    except RecursionError as err:
        raise _too_deep(limits, fail) from err
    except UnicodeDecodeError as err:
        raise fail(f"not UTF-8 JSON: {err.reason} at offset {err.start}", None) from err
    except ValueError as err:  # what parse_int did not see (a float's exponent, say)
        raise fail(f"invalid JSON value: {err}", None) from err
    size = len(text)
    if isinstance(text, bytes):
        risky = (
            _JSON_RISKY_ESCAPE_BYTES.search(text) is not None
            or _UTF8_SURROGATE.search(text) is not None
            or b"\xef\xbf\xbe" in text
            or b"\xef\xbf\xbf" in text
        )
    else:
        risky = _JSON_RISKY_ESCAPE.search(text) is not None or "\ufffe" in text or "\uffff" in text
    return check_tree(
        data,
        limits,
        fail,
        strings=size > limits.max_string_chars,
        clean=risky,
        numbers=False,
        refuse=refuse_unstorable,
    )


def load_yaml(text: str, limits: InputLimits, fail: Fail) -> tuple[Any, int]:
    """Parse YAML (safe types only) within the limits; the value and the strings cleaned.

    The event stream is checked first (depth, aliases, string and number sizes): PyYAML's
    composer recurses once per level, and an alias bomb is small on disk.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.max_depth:
                    raise _too_deep(limits, fail, _mark(event.start_mark))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                raise fail("YAML aliases (*name) are not allowed", _mark(event.start_mark))
            elif isinstance(event, yaml.ScalarEvent):
                _check_scalar(event, limits, fail)
        data = yaml.load(text, Loader=loader)  # CSafeLoader or SafeLoader: safe types only
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = str(err.problem or err.context)
        if "nesting depth" in problem:  # libyaml's own guard (1,000 levels)
            problem += f" ({limits.describe('max_depth')})"
        raise fail(f"invalid YAML: {problem}", _mark(mark)) from err
    except yaml.YAMLError as err:
        raise fail(f"invalid YAML: {err}", None) from err
    except RecursionError as err:
        raise _too_deep(limits, fail) from err
    except (ValueError, TypeError, OverflowError) as err:  # a value the constructor rejects
        raise fail(f"invalid YAML value: {err}", None) from err
    return check_tree(data, limits, fail, strings=False, clean=True, numbers=True)


def _mark(mark: Any) -> str | None:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None


def _check_scalar(event: Any, limits: InputLimits, fail: Fail) -> None:
    value: str = event.value
    if len(value) > limits.max_string_chars:
        raise fail(
            f"a string of {len(value):,} characters ({limits.describe('max_string_chars')})",
            _mark(event.start_mark),
        )
    if (
        not event.style  # plain: None from PyYAML, "" from libyaml
        and len(value) > limits.max_number_digits
        and _YAML_NUMBER.fullmatch(value)
        and sum(c.isdigit() for c in value) > limits.max_number_digits
    ):
        raise fail(
            f"a number of {len(value):,} digits ({limits.describe('max_number_digits')})",
            _mark(event.start_mark),
        )


def parse_xml(text: str, limits: InputLimits, fail: Fail) -> ET.Element:
    """Parse XML with defusedxml (entities and external references refused) within the limits.

    The depth is counted while the parser streams, so a 100,000-deep document stops at the
    limit instead of reaching code that recurses.
    """
    long_strings = len(text) > limits.max_string_chars
    depth = 0
    root: ET.Element | None = None
    try:
        events = DET.iterparse(
            io.BytesIO(text.encode("utf-8", "surrogatepass")),
            events=("start", "end"),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        )
        for event, el in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = el
                if depth > limits.max_depth:
                    raise _too_deep(limits, fail, f"element <{_local(el.tag)}>")
                continue
            depth -= 1
            if long_strings:
                _check_element(el, limits, fail)
    except DefusedXmlException as err:
        raise fail(
            f"XML refused: it declares entities or external references "
            f"({err.__class__.__name__}); entity expansion is not allowed",
            None,
        ) from err
    except ET.ParseError as err:
        line, col = err.position
        raise fail(f"invalid XML: {err.msg}", f"line {line}, column {col + 1}") from err
    except LookupError as err:  # expat: the XML declaration names an encoding Python lacks
        raise fail(f"invalid XML: unknown encoding ({err})", "line 1") from err
    if root is None:
        raise fail("invalid XML: no element found", "line 1")
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1][:60]


def _check_element(el: ET.Element, limits: InputLimits, fail: Fail) -> None:
    for value in (el.text, el.tail, *el.attrib.values()):
        if value is not None and len(value) > limits.max_string_chars:
            raise fail(
                f"a string of {len(value):,} characters ({limits.describe('max_string_chars')})",
                f"element <{_local(el.tag)}>",
            )


def check_tree(
    data: Any,
    limits: InputLimits,
    fail: Fail,
    *,
    strings: bool = True,
    clean: bool = True,
    numbers: bool = True,
    refuse: bool = False,
) -> tuple[Any, int]:
    """Check a parsed JSON-like tree in place: depth; with ``strings`` string sizes; with
    ``numbers`` integer sizes; with ``clean`` replace unstorable characters (with ``refuse``,
    refuse the first string holding one instead).

    Iterative (no recursion), linear in the size of the tree. Returns the (possibly new) root
    and the number of strings cleaned.
    """
    cleaned = 0
    look_at_strings = strings or clean

    def value(v: Any, key: object) -> Any:
        nonlocal cleaned
        if type(v) is str:
            if strings and len(v) > limits.max_string_chars:
                raise fail(
                    f"a string of {len(v):,} characters ({limits.describe('max_string_chars')})",
                    _where(key),
                )
            if clean and _UNSTORABLE.search(v):
                if refuse:
                    raise fail(
                        "a string holding NUL, a control character, U+FFFE/U+FFFF or a lone "
                        "surrogate (no store or export can carry them)",
                        _where(key),
                    )
                cleaned += 1
                return _UNSTORABLE.sub(REPLACEMENT, v)
        elif numbers and type(v) is int and v.bit_length() > limits.max_number_digits * 3.33:
            raise fail(f"a number too large ({limits.describe('max_number_digits')})", _where(key))
        return v

    root = value(data, None)
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise _too_deep(limits, fail, "$")
        if isinstance(node, dict):
            if look_at_strings and any(type(k) is str and _bad_key(k, limits) for k in node):
                fixed = {value(k, k): v for k, v in node.items()}
                node.clear()
                node.update(fixed)
            for k, v in node.items():
                if isinstance(v, dict | list):
                    stack.append((v, depth + 1))
                elif look_at_strings or numbers:
                    node[k] = value(v, k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, dict | list):
                    stack.append((v, depth + 1))
                elif look_at_strings or numbers:
                    node[i] = value(v, i)
    return root, cleaned


def _where(key: object) -> str:
    if key is None:
        return "$"
    return f"$..[{key}]" if isinstance(key, int) else f"$..{str(key)[:40]}"


def _bad_key(key: str, limits: InputLimits) -> bool:
    return len(key) > limits.max_string_chars or _UNSTORABLE.search(key) is not None

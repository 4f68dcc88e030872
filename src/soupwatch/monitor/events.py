"""Normalise what units send to :class:`~soupwatch.model.telemetry.DeviceEvent` (pure).

Three shapes arrive:

* **JSON** (MQTT payloads, HTTP batches): ``{"unit", "time", "kind", "id"?, "fields"?}``, one
  object or a list of them. Over MQTT the unit comes from the topic
  (``soupwatch/units/SERIAL/events``); a payload naming another unit is refused.
* **RFC 5424 syslog**: the unit is the ``unit`` parameter of a ``soupwatch@…`` structured-data
  element, else the HOSTNAME; the kind is that element's ``kind``, else the MSGID when it is a
  kind, else ``syslog``; other parameters become fields.
* **RFC 3164 (BSD) syslog**: the unit is the HOSTNAME, the kind ``syslog``; the timestamp has no
  year and no zone: the receipt year and UTC are assumed (said in ``fields.assumed``).

Every refusal is a :class:`~soupwatch.model.telemetry.RejectedEvent` with a one-line reason,
never an exception: one bad message must not stop a stream.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from soupwatch.model.telemetry import (
    KIND,
    SERIAL,
    DeviceEvent,
    KnownKind,
    RejectedEvent,
    Transport,
)

MAX_MESSAGE = 64 * 1024
"""Largest message (bytes) taken as one MQTT payload, syslog line or HTTP event."""
MAX_BATCH = 10_000
"""Most events in one JSON list (an HTTP batch or one MQTT payload)."""
MAX_FIELDS = 200
"""Most fields (keys, counted through nesting) in one event."""
MAX_DEPTH = 8
"""Deepest nesting of an event's fields."""
MAX_ID = 128
"""Longest event id a unit may send."""
TOPIC = re.compile(r"(?:^|/)units/([^/]+)/events$")
"""The MQTT topics units publish on: ``[PREFIX/]units/SERIAL/events`` (soupwatch subscribes to
``soupwatch/units/+/events`` by default)."""
_SD_ID = "soupwatch@"
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

Outcome = DeviceEvent | RejectedEvent


def _excerpt(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    return text[:200].encode("unicode_escape").decode("ascii")


def reject(transport: Transport, reason: str, raw: bytes | str) -> RejectedEvent:
    return RejectedEvent(transport, reason, _excerpt(raw))


def digest(*parts: str) -> str:
    """A stable identity from parts (SHA-256, hex): the key of an event without an id."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("time must be an RFC 3339 date-time string")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"time {value!r} is not an RFC 3339 date-time") from None
    if at.tzinfo is None:
        raise ValueError("time has no time zone (RFC 3339 requires one)")
    return at.astimezone(UTC)


def _check_fields(value: Any, depth: int = 0, budget: list[int] | None = None) -> None:
    budget = budget if budget is not None else [MAX_FIELDS]
    if depth > MAX_DEPTH:
        raise ValueError(f"fields nest deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise ValueError(f"more than {MAX_FIELDS} fields")
        for k, v in value.items():
            if "\x00" in k:
                raise ValueError("a field name contains NUL")
            if type(v) in _SCALARS:  # the common case, without a call per field
                if type(v) is str and "\x00" in v:
                    raise ValueError("a field value contains NUL")
                continue
            _check_fields(v, depth + 1, budget)
    elif isinstance(value, list):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise ValueError(f"more than {MAX_FIELDS} fields")
        for v in value:
            _check_fields(v, depth + 1, budget)
    elif isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a field value contains NUL")
    elif value is not None and not isinstance(value, bool | int | float):
        raise ValueError(f"a field value is a {type(value).__name__}")


_SCALARS = frozenset({str, int, float, bool, type(None)})
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
"""``json.dumps(…, sort_keys=True, ensure_ascii=False)`` without building an encoder per call."""


def event_from_object(
    obj: Any, transport: Transport, *, unit: str | None = None, raw: bytes | str = b""
) -> Outcome:
    """One JSON object as an event (``unit``: the unit the transport vouches for)."""
    if not isinstance(obj, dict):
        where = raw or json.dumps(obj, default=str)[:200]
        return reject(transport, f"an event is a JSON object, not {type(obj).__name__}", where)
    try:
        named = obj.get("unit", unit)
        if not isinstance(named, str) or not SERIAL.match(named):
            raise ValueError("unit must be a serial number (letters, digits, . _ : -)")
        if unit is not None and named != unit:
            raise ValueError(f"the event names unit {named!r} but came from unit {unit!r}")
        kind = obj.get("kind")
        if not isinstance(kind, str) or not KIND.match(kind):
            raise ValueError("kind must be lower case letters, digits, . _ - (at most 64)")
        at = _parse_time(obj.get("time"))
        fields = obj.get("fields", {})
        if not isinstance(fields, dict):
            raise ValueError("fields must be a JSON object")
        _check_fields(fields)
        event_id = obj.get("id")
        if event_id is not None and (
            not isinstance(event_id, str | int) or len(str(event_id)) > MAX_ID
        ):
            raise ValueError(f"id must be a string or integer of at most {MAX_ID} characters")
    except ValueError as err:
        return reject(transport, str(err), raw or json.dumps(obj, default=str)[:200])
    if event_id is not None:
        key = digest(named, "id", str(event_id))
    else:
        body = _canonical(fields)
        key = digest(named, at.isoformat(), kind, body)
    return DeviceEvent(named, at, kind, transport, key, fields)


def events_from_json(
    payload: bytes | str, transport: Transport, *, unit: str | None = None
) -> list[Outcome]:
    """A JSON payload (one event object or a list of them) as events and refusals."""
    if len(payload) > MAX_MESSAGE * (MAX_BATCH if transport is Transport.HTTP else 1):
        return [reject(transport, "message larger than the limit", payload)]
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as err:
        reason = err.msg if isinstance(err, json.JSONDecodeError) else "not JSON"
        return [reject(transport, f"not JSON: {reason}", payload)]
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_BATCH:
        return [reject(transport, f"more than {MAX_BATCH} events in one message", payload)]
    return [event_from_object(o, transport, unit=unit) for o in items]


def unit_of_topic(topic: str) -> str | None:
    """The unit a topic belongs to (``soupwatch/units/SN-1/events`` → ``SN-1``)."""
    m = TOPIC.search(topic)
    return m.group(1) if m and SERIAL.match(m.group(1)) else None


# --- syslog -------------------------------------------------------------------------------

_PRI = re.compile(rb"^<(\d{1,3})>")
_SD_PARAM = re.compile(r'([^\s=\]"]{1,32})="((?:[^"\\]|\\.){0,4096})"')


_SD_ELEMENT = re.compile(
    r'\[([^\s\]="]{1,32})((?:[ ]+[^\s=\]"]{1,32}="(?:[^"\\]|\\.){0,4096}")*)[ ]*\]'
)


def _sd_elements(text: str) -> tuple[list[tuple[str, dict[str, str]]], str]:
    """Structured data elements ``[id k="v" …]…`` and the rest of the line.

    The pattern has no nested ambiguity (names and quoted values are delimited), so matching
    is linear in the line's length.
    """
    out: list[tuple[str, dict[str, str]]] = []
    pos = 0
    while pos < len(text) and text[pos] == "[":
        m = _SD_ELEMENT.match(text, pos)
        if m is None:
            raise ValueError("structured data element is malformed or not closed")
        values = {
            k: v.replace('\\"', '"').replace("\\]", "]").replace("\\\\", "\\") if "\\" in v else v
            for k, v in _SD_PARAM.findall(m.group(2))
        }
        out.append((m.group(1), values))
        pos = m.end()
    return out, text[pos:]


def _rfc5424(line: str, pri: int, received: datetime) -> tuple[str, datetime, str, dict[str, Any]]:
    parts = line.split(" ", 6)
    if len(parts) < 7:
        raise ValueError("RFC 5424: fewer than the 7 header fields")
    _version, stamp, host, app, procid, msgid, rest = parts
    at = received if stamp == "-" else _parse_time(stamp)
    elements: list[tuple[str, dict[str, str]]] = []
    if rest.startswith("-"):
        message = rest[1:]
    else:
        elements, message = _sd_elements(rest)
    message = message[1:] if message.startswith(" ") else message
    message = message.removeprefix("\ufeff")
    fields: dict[str, Any] = {"app": app, "procid": procid, "message": message}
    unit, kind = host, None
    for sd_id, values in elements:
        if sd_id.startswith(_SD_ID):
            unit = values.pop("unit", unit)
            kind = values.pop("kind", kind)
            if "id" in values:
                fields["id"] = values.pop("id")
            fields.update(values)
        else:
            fields.setdefault("sd", {})[sd_id] = values
    if kind is None:
        kind = msgid.lower() if msgid != "-" and KIND.match(msgid.lower()) else KnownKind.SYSLOG
    return unit, at, kind, fields


_BSD = re.compile(r"^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\S{1,255}) ?(.*)$", re.S)
_TAG = re.compile(r"^([^\s:\[]{1,48})(?:\[([^\]]{0,32})\])?: ?(.*)$", re.S)


def _rfc3164(line: str, received: datetime) -> tuple[str, datetime, str, dict[str, Any]]:
    m = _BSD.match(line)
    if not m or m.group(1) not in _MONTHS:
        raise ValueError("neither RFC 5424 nor RFC 3164 (BSD) syslog")
    month, day, hh, mm, ss, host, rest = m.groups()
    at = datetime(received.year, _MONTHS[month], int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
    if at > received + timedelta(days=1):  # December's line read in January
        at = at.replace(year=received.year - 1)
    fields: dict[str, Any] = {"message": rest, "assumed": "year of receipt, UTC"}
    if t := _TAG.match(rest):
        fields.update(app=t.group(1), procid=t.group(2) or "-", message=t.group(3))
    return host, at, KnownKind.SYSLOG, fields


@functools.lru_cache(maxsize=64)
def _stamp(received: datetime) -> bytes:
    """``received`` in ISO form (listeners stamp every line of one read with one time)."""
    return received.isoformat().encode()


def event_from_syslog(raw: bytes, received: datetime, *, nth: int = 0) -> Outcome:
    """One syslog message (RFC 5424, else RFC 3164) as an event.

    A syslog line has no id of its own and is never redelivered, so its key includes the
    receipt time and ``nth``, the listener's count of lines: two identical lines are two
    events (a burst of failed logins counts), even when they arrive in one read.
    """
    if len(raw) > MAX_MESSAGE:
        return reject(Transport.SYSLOG, "message larger than the limit", raw)
    raw = raw.rstrip(b"\r\n\x00")
    m = _PRI.match(raw)
    if not m or int(m.group(1)) > 191:
        return reject(Transport.SYSLOG, "no <PRI> (0–191) at the start", raw)
    pri = int(m.group(1))
    try:
        line = raw[m.end() :].decode("utf-8")
    except UnicodeDecodeError:
        line = raw[m.end() :].decode("latin-1")  # RFC 3164 senders predate UTF-8
    try:
        if line[:2] == "1 ":
            unit, at, kind, fields = _rfc5424(line, pri, received)
        else:
            unit, at, kind, fields = _rfc3164(line, received)
        if not SERIAL.match(unit):
            raise ValueError(f"host name {unit[:64]!r} is not a unit serial number")
        if not KIND.match(kind):
            raise ValueError(f"kind {kind[:64]!r} is not a kind")
        _check_fields(fields)
    except ValueError as err:
        return reject(Transport.SYSLOG, str(err), raw)
    fields["facility"] = pri // 8
    fields["severity"] = _SEVERITIES[pri % 8]
    event_id = fields.pop("id", None)
    if event_id is not None:
        key = digest(unit, "id", str(event_id))
    else:  # the line's bytes as received (no decode and re-encode per line)
        h = hashlib.sha256(b"%s\x00syslog\x00%s\x00%d\x00" % (unit.encode(), _stamp(received), nth))
        h.update(raw)
        key = h.hexdigest()
    return DeviceEvent(unit, at, str(kind), Transport.SYSLOG, key, fields)


def octet_frames(buffer: bytearray) -> Iterator[bytes]:
    """Complete syslog frames at the start of a TCP stream buffer (RFC 6587), consumed.

    Octet counting (``LEN SP MSG``) when the buffer starts with a digit, else one frame per
    line (non-transparent framing, LF). An incomplete frame stays in the buffer. The frames
    taken are cut from the buffer once, at the end (not one shift of the buffer per frame).
    """
    pos, end = 0, len(buffer)
    try:
        while pos < end:
            if 48 <= buffer[pos] <= 57:  # a digit: octet counting
                sp = buffer.find(b" ", pos, pos + 8)
                if sp < 0:
                    if end - pos >= 8:
                        raise ValueError("octet count longer than 7 digits")
                    return
                size = int(buffer[pos:sp])
                if size > MAX_MESSAGE:
                    raise ValueError(f"frame of {size} bytes is larger than the limit")
                if end < sp + 1 + size:
                    return
                frame = bytes(buffer[sp + 1 : sp + 1 + size])
                pos = sp + 1 + size
            else:
                nl = buffer.find(b"\n", pos)
                if nl < 0:
                    if end - pos > MAX_MESSAGE:
                        raise ValueError("line longer than the limit")
                    return
                frame = bytes(buffer[pos:nl])
                pos = nl + 1
            if frame.strip():
                yield frame
    finally:
        del buffer[:pos]

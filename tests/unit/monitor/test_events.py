"""Normalising what units send: syslog (RFC 5424, RFC 3164), JSON, TCP framing, hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from soupwatch.model.telemetry import DeviceEvent, RejectedEvent, Transport
from soupwatch.monitor.events import (
    MAX_MESSAGE,
    event_from_syslog,
    events_from_json,
    octet_frames,
    unit_of_topic,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_rfc5424_with_soupwatch_structured_data() -> None:
    line = (
        b'<34>1 2026-12-05T09:59:58.003+01:00 gw-3 sshd 812 - [soupwatch@32473 unit="SN-0042" '
        b'kind="login_failed" user="ro\\"ot" peer="10.0.0.9"][meta@1 a="b"] \xef\xbb\xbfFailed'
    )
    e = event_from_syslog(line, NOW)
    assert isinstance(e, DeviceEvent)
    assert (e.unit, e.kind, e.transport) == ("SN-0042", "login_failed", Transport.SYSLOG)
    assert e.at == datetime(2026, 12, 5, 8, 59, 58, 3000, tzinfo=UTC)  # converted to UTC
    assert e.fields["user"] == 'ro"ot' and e.fields["peer"] == "10.0.0.9"
    assert e.fields["message"] == "Failed"  # the BOM of RFC 5424 MSG is dropped
    assert e.fields["sd"] == {"meta@1": {"a": "b"}}
    assert (e.fields["facility"], e.fields["severity"]) == (4, "crit")


def test_rfc5424_kind_from_msgid_and_unit_from_hostname() -> None:
    e = event_from_syslog(b"<14>1 - SN-7 app - REBOOT - rebooting now", NOW)
    assert isinstance(e, DeviceEvent)
    assert (e.unit, e.kind, e.at) == ("SN-7", "reboot", NOW)  # no timestamp: receipt time


def test_rfc3164_assumes_the_receipt_year_and_utc_and_says_so() -> None:
    e = event_from_syslog(b"<13>Dec  5 09:59:58 SN-0042 sshd[812]: Failed password for root", NOW)
    assert isinstance(e, DeviceEvent)
    assert e.at == datetime(2026, 12, 5, 9, 59, 58, tzinfo=UTC)
    assert e.fields["app"] == "sshd" and e.fields["procid"] == "812"
    assert e.fields["assumed"] == "year of receipt, UTC"
    january = datetime(2027, 1, 1, 0, 0, 30, tzinfo=UTC)
    late = event_from_syslog(b"<13>Dec 31 23:59:58 SN-1 cron: x", january)
    assert isinstance(late, DeviceEvent) and late.at.year == 2026  # last year's line


def test_identical_syslog_lines_are_two_events_but_an_id_makes_one() -> None:
    line = b"<13>Dec  5 09:59:58 SN-1 sshd: Failed password"
    a = event_from_syslog(line, NOW)
    b = event_from_syslog(line, NOW.replace(microsecond=1))
    assert isinstance(a, DeviceEvent) and isinstance(b, DeviceEvent) and a.key != b.key
    with_id = b'<13>1 - SN-1 sshd - - [soupwatch@32473 id="77"] x'
    c, d = event_from_syslog(with_id, NOW), event_from_syslog(with_id, NOW.replace(second=9))
    assert isinstance(c, DeviceEvent) and isinstance(d, DeviceEvent) and c.key == d.key


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"no pri", "no <PRI>"),
        (b"<999>1 - h a - - - x", "no <PRI>"),
        (b"<13>garbage", "neither RFC 5424 nor RFC 3164"),
        (b"<13>1 - h a", "fewer than the 7 header fields"),
        (b'<13>1 - h a - - [x a="unclosed', "not closed"),
        (b"<13>1 not-a-time h a - - - x", "RFC 3339"),
        (b"<13>1 - bad/host a - - - x", "is not a unit serial number"),
        (b"<13>" + b"x" * (MAX_MESSAGE + 1), "larger than the limit"),
    ],
)
def test_bad_syslog_is_refused_with_a_reason(raw: bytes, reason: str) -> None:
    got = event_from_syslog(raw, NOW)
    assert isinstance(got, RejectedEvent) and reason in got.reason
    assert len(got.excerpt) <= 800


def test_a_64k_unclosed_structured_data_element_is_refused_in_linear_time() -> None:
    raw = b'<13>1 - h a - - [x a="' + b"\\\\" * 30_000
    got = event_from_syslog(raw, NOW)  # a backtracking pattern would not return
    assert isinstance(got, RejectedEvent)


def test_latin1_bsd_syslog_is_read() -> None:
    got = event_from_syslog(b"<13>Dec  5 09:59:58 SN-1 app: caf\xe9", NOW)
    assert isinstance(got, DeviceEvent) and got.fields["message"] == "café"


def test_json_event_unit_from_topic_and_refusals() -> None:
    assert unit_of_topic("soupwatch/units/SN-1/events") == "SN-1"
    assert unit_of_topic("soupwatch/units/SN-1/other") is None
    good = {"time": "2026-12-05T10:00:00Z", "kind": "reboot", "id": 5}
    (e,) = events_from_json(json.dumps(good).encode(), Transport.MQTT, unit="SN-1")
    assert isinstance(e, DeviceEvent) and e.unit == "SN-1"
    spoof = json.dumps({**good, "unit": "SN-2"}).encode()
    (r,) = events_from_json(spoof, Transport.MQTT, unit="SN-1")
    assert isinstance(r, RejectedEvent) and "came from unit 'SN-1'" in r.reason


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"unit": "SN-1", "kind": "reboot"}, "RFC 3339"),
        ({"unit": "SN-1", "kind": "reboot", "time": "2026-12-05T10:00:00"}, "no time zone"),
        ({"unit": "SN 1", "kind": "reboot", "time": "2026-12-05T10:00:00Z"}, "serial"),
        ({"unit": "SN-1", "kind": "Reboot!", "time": "2026-12-05T10:00:00Z"}, "kind must"),
        ({"unit": "SN-1", "kind": "x", "time": "2026-12-05T10:00:00Z", "fields": []}, "object"),
        ({"unit": "SN-1", "kind": "x", "time": "2026-12-05T10:00:00Z", "id": "i" * 200}, "id"),
        (
            {"unit": "SN-1", "kind": "x", "time": "2026-12-05T10:00:00Z", "fields": {"a": "\x00"}},
            "NUL",
        ),
    ],
)
def test_bad_json_events_are_refused(event: dict[str, object], reason: str) -> None:
    (r,) = events_from_json(json.dumps(event).encode(), Transport.HTTP)
    assert isinstance(r, RejectedEvent) and reason in r.reason


def test_hostile_json_shapes() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    (r,) = events_from_json(deep, Transport.HTTP)
    assert isinstance(r, RejectedEvent)
    nested: dict[str, object] = {}
    cur = nested
    for _ in range(20):
        cur["a"] = {}
        cur = cur["a"]  # type: ignore[assignment]
    event = {"unit": "SN-1", "kind": "x", "time": "2026-12-05T10:00:00Z", "fields": nested}
    (r,) = events_from_json(json.dumps(event).encode(), Transport.HTTP)
    assert isinstance(r, RejectedEvent) and "deeper" in r.reason
    (r,) = events_from_json(b"\xff\xfe", Transport.HTTP)
    assert isinstance(r, RejectedEvent) and r.reason.startswith("not JSON")


def test_tcp_framing_octet_counting_and_lines() -> None:
    buffer = bytearray(b"10 <13>ab cde<13>Dec  5 09:59:58 h x: y\n\n5 <1>")
    assert list(octet_frames(buffer)) == [b"<13>ab cde", b"<13>Dec  5 09:59:58 h x: y"]
    assert buffer == b"5 <1>"  # incomplete: kept for the next read
    with pytest.raises(ValueError, match="larger than the limit"):
        list(octet_frames(bytearray(b"9999999 <13>")))
    with pytest.raises(ValueError, match="longer than the limit"):
        list(octet_frames(bytearray(b"<13>" + b"x" * (MAX_MESSAGE + 1))))


def test_identical_syslog_lines_received_at_once_are_two_events() -> None:
    line = b"<38>1 - SN-1 sshd - - - Failed password for root"
    now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    first, second = event_from_syslog(line, now, nth=1), event_from_syslog(line, now, nth=2)
    assert isinstance(first, DeviceEvent) and isinstance(second, DeviceEvent)
    assert first.key != second.key  # a burst counts
    assert event_from_syslog(line, now, nth=1) == first  # and the key is stable

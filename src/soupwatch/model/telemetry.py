"""What a deployed unit reports about itself: one event model for every transport.

MQTT messages, syslog lines (RFC 5424 and RFC 3164) and HTTP batches are normalised to a
:class:`DeviceEvent` (``monitor/events.py``) and stored once each: ``key`` is the event's
identity, so a message delivered twice (MQTT QoS 1 after a killed ingester, an HTTP batch
retried) is stored once. See docs/monitoring.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

KIND = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
"""An event kind: lower case, starts with a letter, at most 64 characters."""
SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
"""A unit's serial number as it appears in topics, host names and URLs."""


class Transport(StrEnum):
    """How an event reached soupwatch."""

    MQTT = "mqtt"
    SYSLOG = "syslog"
    HTTP = "http"


class KnownKind(StrEnum):
    """Event kinds the unusual-activity rules understand (others are stored as reported)."""

    LOGIN_FAILED = "login_failed"
    LOGIN = "login"
    REBOOT = "reboot"
    CONNECTION = "connection"
    """``fields``: ``interface``, ``peer`` (address or host), ``port``, ``direction``."""
    SOFTWARE = "software"
    """``fields``: ``components``: {name: version} the unit reports it runs."""
    HEARTBEAT = "heartbeat"
    SYSLOG = "syslog"
    """A syslog line with no structured soupwatch data: ``app``, ``message``, ``severity``."""


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """One event of one unit: when it happened (the unit's clock), what, and its details."""

    unit: str
    at: datetime
    kind: str
    transport: Transport
    key: str
    """The event's identity: the unit's own event id when it sends one, else a digest of the
    event (so an identical message delivered twice is one event)."""
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    """A message that is not an event, with the reason (kept, counted, never retried)."""

    transport: Transport
    reason: str
    excerpt: str
    """The start of the message as received (at most 200 characters, escaped)."""

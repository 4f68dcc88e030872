"""Postmarket device monitoring: telemetry from deployed units, normalised and stored once.

``events`` turns MQTT payloads, syslog lines and HTTP batches into ``model.telemetry`` events;
``mqtt`` and ``syslog`` are the listeners; ``pipeline.telemetry`` stores them. ``rules`` reads
and evaluates the unusual-activity rules and ``alerting`` runs them; :func:`ingest` is the one
way a batch enters: stored, then evaluated. See
docs/monitoring.md. The edges import this face only.
"""

from soupwatch.monitor.alerting import (
    Loaded,
    check_silent,
    evaluate_recorded,
    load_rules,
    rules_in_force,
)
from soupwatch.monitor.events import MAX_BATCH, MAX_MESSAGE, events_from_json
from soupwatch.monitor.ingestion import ingest
from soupwatch.monitor.mqtt import IngestStats, MqttIngester, MqttOptions
from soupwatch.monitor.silence import SilenceWatch
from soupwatch.monitor.syslog import SyslogIngester, SyslogOptions

__all__ = [
    "MAX_BATCH",
    "MAX_MESSAGE",
    "IngestStats",
    "Loaded",
    "MqttIngester",
    "MqttOptions",
    "SilenceWatch",
    "SyslogIngester",
    "SyslogOptions",
    "check_silent",
    "evaluate_recorded",
    "events_from_json",
    "ingest",
    "load_rules",
    "rules_in_force",
]

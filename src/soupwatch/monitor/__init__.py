"""Postmarket device monitoring: telemetry from deployed units, normalised and stored once.

``events`` turns MQTT payloads, syslog lines and HTTP batches into ``model.telemetry`` events;
``mqtt`` and ``syslog`` are the listeners; ``pipeline.telemetry`` stores them. See
docs/monitoring.md. The edges import this face only.
"""

from soupwatch.monitor.events import MAX_BATCH, MAX_MESSAGE, events_from_json
from soupwatch.monitor.mqtt import IngestStats, MqttIngester, MqttOptions
from soupwatch.monitor.syslog import SyslogIngester, SyslogOptions

__all__ = [
    "MAX_BATCH",
    "MAX_MESSAGE",
    "IngestStats",
    "MqttIngester",
    "MqttOptions",
    "SyslogIngester",
    "SyslogOptions",
    "events_from_json",
]

"""Postmarket device monitoring: telemetry from deployed units, normalised and stored once.

``events`` turns MQTT payloads, syslog lines and HTTP batches into ``model.telemetry`` events;
``mqtt`` and ``syslog`` are the listeners; ``pipeline.telemetry`` stores them. See
docs/monitoring.md.
"""

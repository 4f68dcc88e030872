"""Postmarket notifications: rules, e-mail and signed webhooks, retries and a delivery log.

``notify_events`` derives events from a watch delta and the stored assessments and queues
them once per channel (``enqueue_alerts`` does so for unusual-activity alerts);
``deliver_pending`` sends what is due (a job or the CLI calls it);
``admin`` holds the audited channel and rule administration and the delivery log; ``signing``
the webhook signature a receiver verifies. See docs/notifications.md.
"""

from soupwatch.notify import admin, signing
from soupwatch.notify.alerts import alert_event, enqueue_alerts
from soupwatch.notify.delivery import DeliveryOutcome, RetryPolicy, deliver_pending
from soupwatch.notify.events import QueueOutcome, notify_events

__all__ = [
    "DeliveryOutcome",
    "QueueOutcome",
    "RetryPolicy",
    "admin",
    "alert_event",
    "deliver_pending",
    "enqueue_alerts",
    "notify_events",
    "signing",
]

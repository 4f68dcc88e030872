"""Postmarket notifications: rules, e-mail and signed webhooks, retries and a delivery log.

``notify_events`` derives events from a watch delta and the stored assessments and queues
them once per channel; ``deliver_pending`` sends what is due (a job or the CLI calls it);
``admin`` holds the audited channel and rule administration and the delivery log; ``signing``
the webhook signature a receiver verifies. See docs/notifications.md.
"""

from soupwatch.notify import admin, signing
from soupwatch.notify.delivery import DeliveryOutcome, RetryPolicy, deliver_pending
from soupwatch.notify.events import QueueOutcome, notify_events

__all__ = [
    "DeliveryOutcome",
    "QueueOutcome",
    "RetryPolicy",
    "admin",
    "deliver_pending",
    "notify_events",
    "signing",
]

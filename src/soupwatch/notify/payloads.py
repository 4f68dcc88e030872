"""What a notification says, per channel style: soupwatch's generic JSON, a Slack message
(``text`` plus Block Kit ``blocks``), a Microsoft Teams ``MessageCard`` and a plain-text e-mail.

Every body is rendered from the stored :class:`~soupwatch.model.notify.Event` alone, with keys
sorted, so the same event renders to the same bytes (what the signature covers).
"""

from __future__ import annotations

import json
from typing import Any

from soupwatch.model.notify import Event, PayloadStyle, RuleKind

SCHEMA = "soupwatch-notification/1"
"""The ``schema`` of the generic JSON payload."""

COLOURS = {
    RuleKind.KEV_FINDING: "B00020",
    RuleKind.UNCONTROLLED_FINDING: "B00020",
    RuleKind.CLOCK_DUE: "E07000",
    RuleKind.END_OF_SUPPORT: "E07000",
}
"""A Teams card's accent per event kind (red: act now; orange: a date is near)."""


def generic(event: Event, delivery_id: int) -> dict[str, Any]:
    """soupwatch's own JSON: the event as stored, with the delivery's id."""
    return {"schema": SCHEMA, "delivery": delivery_id, "event": event.as_dict()}


def slack(event: Event) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` (the notification's fallback) and blocks."""
    fields = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in event.facts[:10]]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": event.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": event.summary[:3000]}},
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    return {"text": event.title, "blocks": blocks}


def teams(event: Event) -> dict[str, Any]:
    """A Microsoft Teams connector ``MessageCard`` (also accepted by Teams workflows)."""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": event.title,
        "themeColor": COLOURS[event.kind],
        "title": event.title,
        "text": event.summary,
        "sections": [{"facts": [{"name": k, "value": v} for k, v in event.facts]}],
    }


def webhook_body(event: Event, style: PayloadStyle, delivery_id: int) -> bytes:
    """The bytes a webhook of ``style`` posts (compact JSON, keys sorted)."""
    match style:
        case PayloadStyle.GENERIC:
            data = generic(event, delivery_id)
        case PayloadStyle.SLACK:
            data = slack(event)
        case PayloadStyle.TEAMS:
            data = teams(event)
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def email_text(event: Event) -> tuple[str, str]:
    """(subject, plain-text body) of an e-mail."""
    width = max((len(k) for k, _ in event.facts), default=0)
    lines = [event.summary, ""]
    lines += [f"{k.ljust(width)}  {v}" for k, v in event.facts]
    lines += ["", f"event: {event.key}", "-- soupwatch (docs/notifications.md)"]
    return f"[soupwatch] {event.title}", "\n".join(lines) + "\n"

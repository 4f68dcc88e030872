"""``deliver_pending``: send every queued notification that is due, retrying with backoff.

Each due outbox row is claimed (its next attempt moved past a short lease, so two deliverers
never send it twice at once), sent outside any transaction, and its attempt recorded: delivered,
or failed with a one-line error and the next attempt ``base × 2^(attempts-1)`` later (capped),
until ``max_attempts`` (then it is ``failed`` in the log). A failing channel only delays its own
rows. Error texts never hold a secret nor a webhook URL (Slack's carry a token): only its host.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import httpx

from soupwatch import __version__
from soupwatch.errors import DeliveryError, one_line
from soupwatch.model.notify import Channel, ChannelKind, Delivery, EmailSecurity
from soupwatch.notify import payloads, signing
from soupwatch.store import notify_repo
from soupwatch.store.db import Store

TIMEOUT_SECONDS = 10.0
LEASE = timedelta(minutes=5)
"""How long a claimed row is hidden from other deliverers while it is being sent."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how late a failed delivery is tried again."""

    max_attempts: int = 8
    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=6)

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after ``attempts`` failures (None: give up)."""
        if attempts >= self.max_attempts:
            return None
        wait: timedelta = min(self.base * (2 ** (attempts - 1)), self.cap)
        return now + wait


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What one ``deliver_pending`` call did."""

    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    errors: tuple[tuple[int, str, str], ...] = field(default=())
    """(delivery id, channel, one-line error) of every failed attempt."""


def _where(channel: Channel) -> str:
    if channel.kind is ChannelKind.WEBHOOK:
        return f"webhook {channel.name} ({urlsplit(channel.target).hostname or '?'})"
    return f"e-mail {channel.name} ({channel.smtp_host}:{channel.smtp_port or 25})"


def _clean(text: str, channel: Channel, secret: str | None) -> str:
    cleaned = text.replace(channel.target, urlsplit(channel.target).hostname or "?")
    if secret:
        cleaned = cleaned.replace(secret, "***")
    return one_line(cleaned, 300)


def send_webhook(
    channel: Channel, secret: str | None, delivery: Delivery, client: httpx.Client
) -> None:
    """POST the event in the channel's style, signed; DeliveryError unless a 2xx answers."""
    body = payloads.webhook_body(delivery.event, channel.style, delivery.id)
    stamp = int(time.time())  # the receiver checks it against its own clock
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"soupwatch/{__version__}",
        signing.EVENT_HEADER: delivery.event.kind.value,
        signing.DELIVERY_HEADER: str(delivery.id),
        signing.TIMESTAMP_HEADER: str(stamp),
    }
    if secret:
        headers[signing.SIGNATURE_HEADER] = signing.sign(secret, stamp, body)
    try:
        answer = client.post(channel.target, content=body, headers=headers)
    except httpx.HTTPError as err:
        raise DeliveryError(f"{_where(channel)}: {type(err).__name__}: {err}") from err
    if not 200 <= answer.status_code < 300:
        raise DeliveryError(f"{_where(channel)}: HTTP {answer.status_code}")


def send_email(channel: Channel, secret: str | None, delivery: Delivery) -> None:
    """Send the event as a plain-text e-mail over SMTP; DeliveryError when the server refuses."""
    subject, text = payloads.email_text(delivery.event)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = channel.sender or "soupwatch@localhost"
    msg["To"] = ", ".join(channel.recipients)
    msg["X-Soupwatch-Event"] = delivery.event.kind.value
    msg.set_content(text)
    host, tls = channel.smtp_host or "localhost", ssl.create_default_context()
    try:
        if channel.smtp_security is EmailSecurity.TLS:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, channel.smtp_port or 465, timeout=TIMEOUT_SECONDS, context=tls
            )
        else:
            smtp = smtplib.SMTP(host, channel.smtp_port or 25, timeout=TIMEOUT_SECONDS)
        with smtp:
            if channel.smtp_security is EmailSecurity.STARTTLS:
                smtp.starttls(context=tls)
            if channel.smtp_user:
                smtp.login(channel.smtp_user, secret or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as err:
        raise DeliveryError(f"{_where(channel)}: {type(err).__name__}: {err}") from err


Sender = Callable[[Channel, str | None, Delivery], None]


def _senders(client: httpx.Client) -> dict[ChannelKind, Sender]:
    return {
        ChannelKind.EMAIL: send_email,
        ChannelKind.WEBHOOK: lambda c, s, d: send_webhook(c, s, d, client),
    }


def deliver_pending(
    store: Store,
    now: datetime,
    *,
    policy: RetryPolicy | None = None,
    client: httpx.Client | None = None,
    limit: int = 200,
) -> DeliveryOutcome:
    """Send every due delivery (at most ``limit``); failures are recorded, never raised."""
    policy = policy or RetryPolicy()
    with store.session() as session:
        rows = notify_repo.due(session, now, limit)
        found = notify_repo.channel_secrets(session, {r.channel for r in rows})
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    senders = _senders(http)
    done = {"delivered": 0, "retrying": 0, "gave_up": 0}
    errors: list[tuple[int, str, str]] = []
    try:
        for row in rows:
            with store.session() as session:
                if not notify_repo.claim(session, row.id, now, now + LEASE):
                    continue  # another deliverer has it
            error = _attempt(row, found.get(row.channel), senders)
            retry = policy.next_attempt(row.attempts + 1, now) if error else None
            with store.session() as session:
                notify_repo.record_attempt(
                    session, row.id, now=now, error=error, next_attempt=retry
                )
            if error is None:
                done["delivered"] += 1
                continue
            errors.append((row.id, row.channel, error))
            done["retrying" if retry else "gave_up"] += 1
    finally:
        if own:
            http.close()
    return DeliveryOutcome(**done, errors=tuple(errors))


def _attempt(
    row: Delivery, found: tuple[Channel, str | None] | None, senders: dict[ChannelKind, Sender]
) -> str | None:
    if found is None:
        return f"channel {row.channel!r} no longer exists"
    channel, secret = found
    try:
        senders[channel.kind](channel, secret, row)
    except DeliveryError as err:
        return _clean(err.message, channel, secret)
    return None

"""From real stored data to a real SMTP server and a real webhook receiver, on both databases:
every rule kind, signatures verified, a 500 retried with backoff, a dead channel that blocks
nobody, and a second run that sends nothing."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import timedelta

import pytest

from soupwatch.config import Settings
from soupwatch.jobs import JobKind, JobState, start_job
from soupwatch.model.notify import Channel, ChannelKind, DeliveryState, RuleKind
from soupwatch.notify import admin, deliver_pending, notify_events
from soupwatch.notify.delivery import RetryPolicy
from soupwatch.pipeline import assessment
from soupwatch.store.db import Store
from soupwatch.vex.audit import entries
from soupwatch.watch import rescan_portfolio

from .conftest import FEEDS, SMTP_PASSWORD, SMTP_USER, T0, Mailbox, Receiver, free_port

HEARTBLEED = "CVE-2014-0160"
ACTOR = "cli:tester"


def _channels(store: Store, smtp: Mailbox, receiver: Receiver) -> None:
    hook, secret = admin.add_channel(
        store, Channel("hook", ChannelKind.WEBHOOK, receiver.url), None, actor=ACTOR, now=T0
    )
    assert secret and hook.has_secret
    receiver.secret = secret
    mail = Channel(
        "mail",
        ChannelKind.EMAIL,
        "psirt@example.org, ops@example.org",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_user=SMTP_USER,
        sender="soupwatch@example.org",
        has_secret=True,
    )
    assert admin.add_channel(store, mail, SMTP_PASSWORD, actor=ACTOR, now=T0)[1] is None
    dead = Channel("dead", ChannelKind.WEBHOOK, f"http://127.0.0.1:{free_port()}/x/S3CRET")
    admin.add_channel(store, dead, None, actor=ACTOR, now=T0)


@pytest.mark.synced(*FEEDS)
def test_every_rule_kind_delivered_once(pump: Store, smtp: Mailbox, receiver: Receiver) -> None:
    _channels(pump, smtp, receiver)
    add = admin.add_rule
    add(pump, RuleKind.KEV_FINDING, "infusion-pump", "hook", actor=ACTOR, now=T0)
    add(pump, RuleKind.KEV_FINDING, None, "dead", actor=ACTOR, now=T0)
    add(pump, RuleKind.UNCONTROLLED_FINDING, None, "mail", actor=ACTOR, now=T0)
    add(pump, RuleKind.CLOCK_DUE, "infusion-pump", "hook", 30, actor=ACTOR, now=T0)
    add(pump, RuleKind.END_OF_SUPPORT, None, "hook", 90, actor=ACTOR, now=T0)

    delta = rescan_portfolio(pump, now=T0)
    queued = notify_events(pump, delta.releases, now=T0)
    assert queued.queued == queued.events > 0
    log = admin.delivery_log(pump, limit=1000)
    keys = {(d.channel, d.event.kind, d.event.key) for d in log}
    kev = "kev_finding|infusion-pump|0.9|"
    assert any(c == "hook" and k.startswith(kev) and k.endswith(HEARTBLEED) for c, _, k in keys)
    assert any(c == "dead" and k.startswith(kev) for c, _, k in keys)
    mails = [k for c, kind, k in keys if c == "mail"]
    assert mails and all(k.startswith("uncontrolled_finding|infusion-pump|0.9|") for k in mails)
    made = assessment(pump, "infusion-pump", "0.9", now=T0)  # every finding is new: all count
    assert set(mails) == {
        f"uncontrolled_finding|infusion-pump|0.9|{f.finding.component_ref}|"
        f"{f.finding.vulnerability.id}"
        for f in made.findings
        if f.is_uncontrolled
    }
    clocks = {k for _, kind, k in keys if kind is RuleKind.CLOCK_DUE}
    assert any(f"|{HEARTBLEED}|kev_due|2022-05-25" in k for k in clocks), sorted(clocks)[:5]
    eol = {k for _, kind, k in keys if kind is RuleKind.END_OF_SUPPORT}
    assert any("openssl" in k.lower() for k in eol), sorted(eol)

    receiver.fail = 1  # the first webhook request is answered 500
    policy = RetryPolicy(max_attempts=2, base=timedelta(minutes=1))
    first = deliver_pending(pump, T0, policy=policy)
    hooks = sum(1 for c, _, _ in keys if c == "hook")
    deads = sum(1 for c, _, _ in keys if c == "dead")
    assert first.delivered == len(keys) - deads - 1  # all but the dead channel and the 500
    assert first.retrying == deads + 1 and first.gave_up == 0
    assert all(r["verified"] for r in receiver.received)
    assert len(receiver.received) == hooks
    assert len(smtp.messages) == len(mails) and smtp.logins
    message = smtp.messages[0]
    assert message["to"] == ["psirt@example.org", "ops@example.org"]
    parsed = email.message_from_string(message["data"], policy=email.policy.default)
    assert parsed["Subject"].strip().startswith("[soupwatch] Uncontrolled risk:")
    for _, _, error in first.errors:  # secrets and URL paths never reach the log
        assert "S3CRET" not in error and receiver.secret not in error
        assert SMTP_PASSWORD not in error

    assert deliver_pending(pump, T0 + timedelta(seconds=30), policy=policy).delivered == 0
    retry = deliver_pending(pump, T0 + timedelta(minutes=2), policy=policy)
    assert (retry.delivered, retry.gave_up, retry.retrying) == (1, deads, 0)
    assert len(receiver.received) == hooks + 1 and receiver.received[-1]["verified"]
    retried = [d for d in admin.delivery_log(pump, limit=1000) if d.attempts == 2]
    assert {d.state for d in retried} == {DeliveryState.DELIVERED, DeliveryState.FAILED}
    failed = admin.delivery_log(pump, limit=1000, state=DeliveryState.FAILED)
    assert {d.channel for d in failed} == {"dead"} and failed[0].last_error
    assert "127.0.0.1" in (failed[0].last_error or "")

    again = rescan_portfolio(pump, now=T0 + timedelta(hours=1))
    second = notify_events(pump, again.releases, now=T0 + timedelta(hours=1))
    assert second.queued == 0 and second.events > 0  # clocks and EOL match again: deduped
    later = deliver_pending(pump, T0 + timedelta(days=1), policy=policy)
    assert (later.delivered, later.retrying, later.gave_up) == (0, 0, 0)
    assert len(receiver.received) == hooks + 1

    with pump.session() as session:
        actions = [e.action for e in entries(session)]
    assert actions.count("notify.channel.add") == 3 and actions.count("notify.rule.add") == 5


@pytest.mark.synced(*FEEDS)
def test_a_rematch_job_notifies_as_the_cli_watch_does(
    pump: Store, settings: Settings, receiver: Receiver
) -> None:
    """The re-match job runs the same flow as ``soupwatch watch`` (``jobs.watching``): its
    delta's KEV finding reaches the webhook, once, with a valid signature."""
    _, secret = admin.add_channel(
        pump, Channel("hook", ChannelKind.WEBHOOK, receiver.url), None, actor=ACTOR, now=T0
    )
    receiver.secret = secret or ""
    admin.add_rule(pump, RuleKind.KEV_FINDING, "infusion-pump", "hook", actor=ACTOR, now=T0)
    here = Settings(settings.home, settings.database_url, now=T0)
    job = start_job(pump, here, JobKind.REMATCH, {}, actor="alice", now=T0, wait=True)
    assert job.state is JobState.DONE, job.error
    kev = [r for r in receiver.received if HEARTBLEED in json.dumps(r["json"])]
    assert kev and all(r["verified"] for r in kev)
    log = admin.delivery_log(pump, limit=1000)
    assert any(d.channel == "hook" and d.event.key.endswith(HEARTBLEED) for d in log)
    # a second job finds nothing new to send: each (channel, event) is queued once ever
    before = len(receiver.received)
    again = start_job(pump, here, JobKind.REMATCH, {}, actor="alice", now=T0, wait=True)
    assert again.state is JobState.DONE and len(receiver.received) == before

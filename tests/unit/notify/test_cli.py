"""``soupwatch notify …`` and ``soupwatch watch`` sending what its rules select, in-process."""

from __future__ import annotations

import json

import pytest

from soupwatch.config import Settings
from soupwatch.store.db import Store
from tests.conftest import run_cli

from .conftest import FEEDS, Receiver


@pytest.mark.synced(*FEEDS)
def test_watch_sends_slack_webhooks_once(
    pump: Store, cli_env: Settings, receiver: Receiver
) -> None:
    code, out, err = run_cli(
        "notify", "channel", "add", "hook", "--webhook", receiver.url, "--style", "slack"
    )
    assert code == 0, err
    receiver.secret = out.strip()
    assert receiver.secret.startswith("whsec_") and "shown once" in err
    code, out, err = run_cli("notify", "rule", "add", "clock_due", "--channel", "hook")
    assert code == 2 and "needs within_days" in err and len(err.strip().splitlines()) == 1
    assert run_cli("notify", "rule", "add", "kev_finding", "--channel", "hook")[0] == 0
    rules = json.loads(run_cli("notify", "rule", "list", "--format", "json")[1])
    assert [(r["kind"], r["product"], r["channel"]) for r in rules] == [
        ("kev_finding", None, "hook")
    ]
    listed = run_cli("notify", "channel", "list", "--format", "json")[1]
    assert receiver.secret not in listed and "T0K3N" not in listed

    code, out, err = run_cli("watch", "--no-sync", "--format", "json")
    assert code == 0, err
    json.loads(out)  # stdout stays JSON: the notification summary goes to stderr
    sent = len(receiver.received)
    assert sent > 0 and f"{sent} queued, {sent} delivered" in err
    assert all(r["verified"] and r["json"]["blocks"] for r in receiver.received)
    assert any("CVE-2014-0160" in r["json"]["text"] for r in receiver.received)
    log = json.loads(run_cli("notify", "log", "--format", "json")[1])
    assert len(log) == sent and {d["state"] for d in log} == {"delivered"}

    code, _, err = run_cli("watch", "--no-sync")
    assert code == 0 and "notifications:" not in err and len(receiver.received) == sent
    assert run_cli("notify", "channel", "remove", "hook")[0] == 2  # a rule still uses it
    assert run_cli("notify", "rule", "remove", str(rules[0]["id"]))[0] == 0
    assert run_cli("notify", "channel", "remove", "hook")[0] == 0
    assert "0 queued, 0 delivered" in run_cli("notify", "run")[2]

"""The webhook bodies (generic, Slack, Teams), the e-mail text and the signature (no I/O)."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

from soupwatch.model.notify import Event, PayloadStyle, RuleKind
from soupwatch.notify import payloads, signing

EVENT = Event(
    key="kev_finding|infusion-pump|0.9|openssl@1.0.1f|CVE-2014-0160",
    kind=RuleKind.KEV_FINDING,
    product="infusion-pump",
    release="0.9",
    title="Known exploited: CVE-2014-0160 in infusion-pump 0.9 (openssl 1.0.1f)",
    summary="CVE-2014-0160 is in CISA KEV.",
    facts=(("product", "infusion-pump"), ("vulnerability", "CVE-2014-0160")),
    due=date(2022, 5, 25),
)


def test_styles() -> None:
    generic = json.loads(payloads.webhook_body(EVENT, PayloadStyle.GENERIC, 7))
    assert generic["schema"] == payloads.SCHEMA and generic["delivery"] == 7
    assert Event.from_dict(generic["event"]) == EVENT
    slack = json.loads(payloads.webhook_body(EVENT, PayloadStyle.SLACK, 7))
    assert slack["text"] == EVENT.title
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "section"]
    assert slack["blocks"][2]["fields"][1]["text"] == "*vulnerability*\nCVE-2014-0160"
    teams = json.loads(payloads.webhook_body(EVENT, PayloadStyle.TEAMS, 7))
    assert teams["@type"] == "MessageCard" and teams["themeColor"] == "B00020"
    assert teams["sections"][0]["facts"][0] == {"name": "product", "value": "infusion-pump"}
    subject, text = payloads.email_text(EVENT)
    assert subject == f"[soupwatch] {EVENT.title}" and EVENT.key in text


def test_signature_covers_timestamp_and_body() -> None:
    secret = signing.new_secret()
    body = payloads.webhook_body(EVENT, PayloadStyle.GENERIC, 1)
    sig = signing.sign(secret, 1_764_316_800, body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert signing.verify(secret, "1764316800", body, sig, now=1_764_316_900)
    assert not signing.verify(secret, "1764316801", body, sig, now=1_764_316_900)
    assert not signing.verify(secret, "1764316800", body + b" ", sig, now=1_764_316_900)
    assert not signing.verify("whsec_other", "1764316800", body, sig, now=1_764_316_900)
    assert not signing.verify(secret, "1764316800", body, sig, now=1_764_316_800 + 301)
    assert not signing.verify(secret, "yesterday", body, sig, now=1_764_316_900)


def test_the_documented_receiver_check_accepts_our_signature() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs/notifications.md").read_text()
    code = text.split("### Verifying a webhook", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    space: dict[str, Any] = {}
    exec(compile(code, "docs/notifications.md", "exec"), space)  # our own doc, run as written
    secret, body, stamp = signing.new_secret(), b'{"a":1}', int(time.time())
    headers = {
        signing.TIMESTAMP_HEADER: str(stamp),
        signing.SIGNATURE_HEADER: signing.sign(secret, stamp, body),
    }
    assert space["verify"](secret, headers, body)
    assert not space["verify"](secret, headers, body + b"x")
    assert not space["verify"]("whsec_other", headers, body)

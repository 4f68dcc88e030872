"""``soupwatch incident open | step | decide | share | close | list | show`` on the seeded
fleet: the same flows as the API, every change audited under ``--author``."""

from __future__ import annotations

import json

import pytest

from soupwatch.config import Settings
from soupwatch.store.db import Store
from tests.conftest import run_cli

from ..fleet.conftest import V1, seed


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the flows: test_incidents.py
def test_incident_cli(store: Store, cli_env: Settings) -> None:
    seed(store)
    code, out, err = run_cli(
        "incident", "open", "finding", V1, "--product", "Pump", "--title", "HB", "--author", "ann"
    )
    assert (code, err) == (0, ""), err
    assert out.startswith(f"#1 open Pump {V1} owner ann, 1 unit(s), steps -")
    code, _, err = run_cli("incident", "close", "1", "--author", "ann")
    assert code == 2 and "close needs the steps contain, assess, communicate, fix" in err
    for step in ("contain", "assess", "communicate", "fix"):
        assert run_cli("incident", "step", "1", step, "--author", "ann")[0] == 0
    args = ("--not-reportable", "--rationale", "update only", "--author", "rita")
    assert run_cli("incident", "decide", "1", *args)[0] == 0
    share = ("--isao", "H-ISAC", "--on", "2026-05-30", "--author", "rita")
    assert run_cli("incident", "share", "1", *share)[0] == 0
    code, out, _ = run_cli("incident", "close", "1", "--author", "ann", "--note", "done")
    assert code == 0 and out.startswith("#1 closed")
    code, out, _ = run_cli("incident", "list", "--format", "json")
    [listed] = json.loads(out)
    assert listed["state"] == "closed" and listed["part806"]["reportable"] is False
    code, out, _ = run_cli("incident", "show", "1")
    shown = json.loads(out)
    assert [t["action"] for t in shown["timeline"]][-3:] == [
        "incident.part806",
        "incident.isao",
        "incident.step",
    ]
    assert {t["actor"] for t in shown["timeline"]} == {"ann", "rita"}

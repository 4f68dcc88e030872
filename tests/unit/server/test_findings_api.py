"""Findings pages on both databases: cursor paging over a real assessed release (no finding
repeated or skipped, the shared priority order), every filter answering what the one filter
definition (``FindingFilter.matches``) answers, and stale or foreign cursors refused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from soupwatch.config import Settings
from soupwatch.model.assessment import AssessedFinding
from soupwatch.model.status import FindingFilter
from soupwatch.pipeline import assessment
from tests.conftest import run_cli

from .conftest import SCANNED_FEEDS, Client

PUMP = "/api/v1/products/infusion-pump/releases/1.0/findings"


def _key(f: dict[str, Any]) -> tuple[str, str]:
    return f["component"]["ref"], f["vulnerability"]["id"]


def _paged(client: Client, params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Every finding matching ``params``, cursor page by cursor page."""
    page = client.get(PUMP, params={**params, "limit": limit}).json()
    items = list(page["items"])
    while page["next_cursor"] is not None:
        assert len(page["items"]) == limit
        page = client.get(
            PUMP, params={**params, "limit": limit, "cursor": page["next_cursor"]}
        ).json()
        items.extend(page["items"])
    assert len(items) == page["total"]
    return items


def _expected(found: list[AssessedFinding], flt: FindingFilter) -> list[tuple[str, str]]:
    return [
        (a.finding.component_ref, a.finding.vulnerability.id)
        for a in sorted(found, key=lambda a: a.priority)
        if flt.matches(a)
    ]


def _decide(client: Client, f: dict[str, Any], state: str, **more: str) -> None:
    body = {
        "vulnerability": f["vulnerability"]["id"],
        "state": state,
        "scope": "release",
        "product": "infusion-pump",
        "release": "1.0",
        "component_name": f["component"]["name"],
        "component_version": f["component"]["version"],
        "reason": "test",
        **more,
    }
    r = client.post("/api/v1/vex", json=body)
    assert r.status_code == 201, r.text


@pytest.mark.synced(*SCANNED_FEEDS)
@pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")
def test_cursor_paging_and_filters_agree_with_the_one_definition(
    scanned: Client, cli_env: Settings
) -> None:
    store = scanned.app.state.store
    before = scanned.get(PUMP, params={"limit": 3}).json()
    _decide(scanned, before["items"][0], "not_affected", justification="code_not_present")
    _decide(scanned, before["items"][2], "false_positive", justification="code_not_present")
    stale = scanned.get(PUMP, params={"limit": 3, "cursor": before["next_cursor"]})
    assert stale.status_code == 409 and "page again from the start" in stale.json()["detail"]

    whole = list(assessment(store, "infusion-pump", "1.0").findings)
    assert len(whole) > 20 and sum(not a.is_open for a in whole) == 2
    everything = _paged(scanned, {}, limit=7)
    assert [f["priority"] for f in everything] == list(range(1, len(whole) + 1))
    assert len({_key(f) for f in everything}) == len(whole)
    assert [_key(f) for f in everything] == _expected(whole, FindingFilter())
    assert [f["open"] for f in everything[-2:]] == [False, False]  # closed ones last

    dues = sorted({a.due for a in whole if a.due is not None})
    assert len(dues) >= 2, "the pump has clocks due on different days"
    first, last = dues[0], dues[-1]
    cases: list[tuple[dict[str, Any], FindingFilter]] = [
        ({"status": "open"}, FindingFilter(status="open")),
        ({"open": "false"}, FindingFilter(open=False)),
        ({"risk": "high"}, FindingFilter(risk="high")),
        (
            {"risk": "critical", "component": "LINUX"},
            FindingFilter(risk="critical", component="LINUX"),
        ),
        (
            {"category": "controlled", "kev": "false"},
            FindingFilter(category="controlled", kev=False),
        ),
        ({"kev": "true"}, FindingFilter(kev=True)),
        ({"exploitation": "none"}, FindingFilter(exploitation="none")),
        ({"exploitation": "active"}, FindingFilter(exploitation="active")),
        ({"due_before": first.isoformat()}, FindingFilter(due_before=first)),
        ({"due_after": last.isoformat()}, FindingFilter(due_after=last)),
        (
            {"due_after": first.isoformat(), "due_before": (last - timedelta(1)).isoformat()},
            FindingFilter(due_after=first, due_before=last - timedelta(1)),
        ),
    ]
    narrowed = 0
    for params, flt in cases:
        want = _expected(whole, flt)
        got = [_key(f) for f in _paged(scanned, params, limit=5)]
        assert got == want, params
        narrowed += 0 < len(want) < len(whole)
    assert narrowed >= 6  # most filters split this release: the comparison is not vacuous

    # soupwatch assess filters with the same definition
    code, out, _ = run_cli(
        "assess", "--product", "infusion-pump", "--release", "1.0", "--format", "json",
        "--risk", "critical", "--component", "linux",
    )  # fmt: skip
    assert code == 0
    listed = json.loads(out)
    want = _expected(whole, FindingFilter(risk="critical", component="linux"))
    got = [
        (f["finding"]["component_ref"], f["finding"]["vulnerability"]["id"])
        for f in listed["findings"]
    ]
    assert got == want and listed["counts"]["findings"] == len(whole)

    bad = scanned.get(PUMP, params={"exploitation": "likely"})
    assert bad.status_code == 422 and "exploitation" in bad.json()["detail"]
    page = scanned.get(PUMP, params={"limit": 3}).json()
    other = scanned.get(PUMP, params={"limit": 3, "risk": "high", "cursor": page["next_cursor"]})
    assert other.status_code == 400 and "cursor: not a cursor of this list" in other.text
    junk = scanned.get(PUMP, params={"cursor": "not-a-cursor"})
    assert junk.status_code == 400 and junk.headers["content-type"] == "application/problem+json"

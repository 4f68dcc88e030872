"""Decisions: scoping, carry-forward, needs_review, expiry, unmatched statements, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from soupwatch.errors import VexError
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.store.db import Store
from soupwatch.vex import audit
from soupwatch.vex.decisions import decisions_for, list_decisions, set_decision

from .helpers import BLUEBORNE, HEARTBLEED, NOW, bluez, finding, openssl_101f

PUMP = "infusion-pump"

NOT_AFFECTED_HEARTBLEED = VexStatement(
    vulnerability=HEARTBLEED,
    state=VexState.NOT_AFFECTED,
    scope=VexScope.PRODUCT,
    product=PUMP,
    component_name="openssl",
    component_version="1.0.1f",
    justification=VexJustification.CODE_NOT_REACHABLE,
    detail="Built with -DOPENSSL_NO_HEARTBEATS; the TLS heartbeat extension is compiled out.",
    author="alice",
)


def _set(store: Store, s: VexStatement, reason: str = "triage") -> VexStatement:
    with store.session() as session:
        return set_decision(session, s, actor="alice", reason=reason, now=NOW)


def test_not_affected_applies_and_carries_to_next_release(store: Store) -> None:
    saved = _set(store, NOT_AFFECTED_HEARTBLEED)
    assert saved.id is not None and saved.created == NOW
    f = openssl_101f()
    with store.session() as s:
        for release in ("2.0.0", "2.1.0"):
            lookup = decisions_for(s, PUMP, release, [f], NOW)
            d = lookup.for_finding(f)
            assert d is not None and d.statement.state is VexState.NOT_AFFECTED
            assert d.closes_finding and not d.needs_review
            assert lookup.unmatched == () and lookup.expired == ()
        other = decisions_for(s, "ventilator", "1.0", [f], NOW)
    assert other.for_finding(f) is None
    assert other.unmatched == ()


def test_version_change_needs_review_and_keeps_finding_open(store: Store) -> None:
    _set(
        store,
        VexStatement(
            vulnerability=BLUEBORNE,
            state=VexState.NOT_AFFECTED,
            scope=VexScope.PRODUCT,
            product=PUMP,
            component_name="bluez",
            component_version="5.46",
            justification=VexJustification.REQUIRES_CONFIGURATION,
            detail="SDP server disabled: bluetoothd runs with --noplugin=* and no sdpd.",
        ),
    )
    new = bluez("5.66")
    with store.session() as s:
        lookup = decisions_for(s, PUMP, "3.0", [new], NOW)
    d = lookup.get(new.component_ref, BLUEBORNE)
    assert d is not None and d.needs_review and not d.closes_finding
    assert d.review_reason == "decided for bluez 5.46, the release has 5.66"


def test_release_beats_product_beats_component(store: Store) -> None:
    base = replace(NOT_AFFECTED_HEARTBLEED, product=None, scope=VexScope.COMPONENT)
    _set(store, base)
    _set(store, replace(NOT_AFFECTED_HEARTBLEED, detail="product-wide"))
    _set(
        store,
        replace(
            NOT_AFFECTED_HEARTBLEED,
            scope=VexScope.RELEASE,
            release="2.0.0",
            state=VexState.EXPLOITABLE,
            justification=None,
            responses=(VexResponse.UPDATE,),
            detail="debug build ships the heartbeat extension",
        ),
    )
    f = openssl_101f()
    with store.session() as s:
        r2 = decisions_for(s, PUMP, "2.0.0", [f], NOW).for_finding(f)
        r3 = decisions_for(s, PUMP, "3.0.0", [f], NOW).for_finding(f)
        other = decisions_for(s, "ventilator", "1.0", [f], NOW).for_finding(f)
    assert r2 is not None and r2.statement.scope is VexScope.RELEASE and not r2.closes_finding
    assert r3 is not None and r3.statement.detail == "product-wide"
    assert other is not None and other.statement.scope is VexScope.COMPONENT


def test_component_scope_does_not_reach_other_versions(store: Store) -> None:
    _set(store, replace(NOT_AFFECTED_HEARTBLEED, product=None, scope=VexScope.COMPONENT))
    f = finding("openssl", "1.0.1g", HEARTBLEED)
    with store.session() as s:
        lookup = decisions_for(s, "ventilator", "1.0", [f], NOW)
    assert lookup.for_finding(f) is None and lookup.unmatched == ()


def test_expired_decision_no_longer_applies(store: Store) -> None:
    _set(store, replace(NOT_AFFECTED_HEARTBLEED, expires=date(2026, 6, 30)))
    f = openssl_101f()
    with store.session() as s:
        before = decisions_for(s, PUMP, "2.0.0", [f], NOW)
        on_day = decisions_for(s, PUMP, "2.0.0", [f], NOW.replace(month=6, day=30))
        after = decisions_for(s, PUMP, "2.0.0", [f], NOW.replace(month=7, day=1))
    assert before.for_finding(f) is not None
    assert on_day.for_finding(f) is not None
    assert after.for_finding(f) is None
    assert [(ref, v) for ref, v, _ in after.expired] == [(f.component_ref, HEARTBLEED)]
    assert after.unmatched == ()


def test_statement_matching_nothing_is_reported(store: Store) -> None:
    saved = _set(store, NOT_AFFECTED_HEARTBLEED)
    f = bluez("5.46")
    with store.session() as s:
        lookup = decisions_for(s, PUMP, "2.0.0", [f], NOW)
    assert lookup.for_finding(f) is None
    assert [u.id for u in lookup.unmatched] == [saved.id]


def test_alias_matches(store: Store) -> None:
    _set(
        store,
        replace(
            NOT_AFFECTED_HEARTBLEED, vulnerability="GHSA-xxxx-heartbleed", aliases=(HEARTBLEED,)
        ),
    )
    f = openssl_101f()
    with store.session() as s:
        assert decisions_for(s, PUMP, "2.0.0", [f], NOW).for_finding(f) is not None


def test_every_change_is_audited_with_old_and_new(store: Store) -> None:
    _set(store, NOT_AFFECTED_HEARTBLEED, reason="first triage")
    _set(
        store,
        replace(NOT_AFFECTED_HEARTBLEED, state=VexState.EXPLOITABLE, justification=None),
        reason="pen test found the heartbeat enabled",
    )
    with store.session() as s:
        chain = audit.export(s)
        assert audit.verify(s).ok
        assert len(list_decisions(s, product=PUMP)) == 1
    assert [e["action"] for e in chain] == ["vex.create", "vex.update"]
    assert chain[1]["old"]["state"] == "not_affected"
    assert chain[1]["new"]["state"] == "exploitable"
    assert chain[1]["reason"] == "pen test found the heartbeat enabled"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"justification": None, "detail": None}, "needs a justification"),
        ({"expires": NOW.date() - timedelta(days=1)}, "not in the future"),
        ({"expires": NOW.date()}, "not in the future"),
        ({"product": None}, "needs a product"),
        ({"scope": VexScope.COMPONENT, "component_version": None}, "name and version"),
        ({"state": VexState.EXPLOITABLE}, "explains not_affected"),
    ],
)
def test_invalid_decision_is_refused_and_nothing_stored(
    store: Store, change: dict[str, object], message: str
) -> None:
    with pytest.raises(VexError, match=message):
        _set(store, replace(NOT_AFFECTED_HEARTBLEED, **change))  # type: ignore[arg-type]
    with store.session() as s:
        assert list_decisions(s) == [] and audit.count(s) == 0

"""Stored decisions (rubric answers, support overrides), the stored assessment and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_cli

from soupwatch.errors import RiskError
from soupwatch.model import Finding, MatchEvidence, Product, Release, Vulnerability
from soupwatch.model.assessment import PostmarketCategory
from soupwatch.model.component import Component, ComponentRef, SupportLevel
from soupwatch.pipeline import assessment
from soupwatch.risk.policy import Policy
from soupwatch.risk.profile import load_profile
from soupwatch.risk.records import (
    load_rubric_answers,
    load_support_overrides,
    save_rubric_answer,
    save_support_override,
)
from soupwatch.risk.rubric import StoredAnswer
from soupwatch.risk.support import SupportOverride
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.store.inventory import save_release
from soupwatch.vex import audit

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _release(store: Store) -> list[Component]:
    comps = [
        Component(ref=ComponentRef("openssl"), name="openssl", version="1.0.1f"),
        Component(ref=ComponentRef("bluez"), name="bluez", version="5.60"),
        Component(ref=ComponentRef("kernel"), name="linux-kernel", version="5.10.201"),
    ]
    with store.session() as s:
        save_release(
            s,
            Product(name="infusion-pump"),
            Release(product="infusion-pump", version="2.1.0", components=tuple(comps)),
        )
    return comps


def _save(store: Store, nvd: dict[str, Vulnerability], first_seen: datetime) -> None:
    """Store two findings of the release, first seen at ``first_seen``."""
    pairs = [
        ("openssl", "1.0.1f", "CVE-2014-0160", ("1.0.1g",)),
        ("bluez", "5.60", "CVE-2022-39176", ("5.65",)),
    ]
    findings = [
        Finding(
            component_ref=ComponentRef(ref),
            component_name=ref,
            component_version=v,
            vulnerability=nvd[cve],
            match=MatchEvidence("cpe", "nvd", ref, "cpe", 1.0),
            fixed_versions=fixed,
        )
        for ref, v, cve, fixed in pairs
    ]
    with store.session() as s:
        save_findings(s, "infusion-pump", "2.1.0", findings, first_seen)


def test_rubric_answer_stored_and_audited(store: Store) -> None:
    answer = StoredAnswer(
        "cve-2022-39176", "MPR", "L", "needs a bonded device", "ana@maker", "BlueZ"
    )
    with store.session() as s:
        save_rubric_answer(s, "infusion-pump", answer, NOW)
        save_rubric_answer(
            s,
            "infusion-pump",
            StoredAnswer("CVE-2022-39176", "MPR", "H", "admin pairing only", "bob@maker", "bluez"),
            NOW,
        )
    with store.session() as s:
        stored = load_rubric_answers(s, "infusion-pump")
        log = audit.entries(s)
        assert audit.verify(s).ok
    assert stored == (
        StoredAnswer("CVE-2022-39176", "MPR", "H", "admin pairing only", "bob@maker", "bluez"),
    )
    assert [e.action for e in log] == ["risk.rubric-answer", "risk.rubric-answer"]
    assert log[1].old["value"] == "L" and log[1].new["value"] == "H"


@pytest.mark.parametrize(
    ("metric", "value", "where"),
    [("MXX", "L", "metric"), ("MAV", "Q", "value"), ("MPR", "LL", "value")],
)
def test_bad_rubric_answer_stores_nothing(
    store: Store, metric: str, value: str, where: str
) -> None:
    with pytest.raises(RiskError) as info, store.session() as s:
        save_rubric_answer(s, "p", StoredAnswer("CVE-1", metric, value, "r", "a"), NOW)
    assert info.value.where == where
    with store.session() as s:
        assert load_rubric_answers(s, "p") == () and audit.count(s) == 0


def test_support_override_and_assess_release(
    store: Store, nvd: dict[str, Vulnerability], examples: Path
) -> None:
    _release(store)
    with store.session() as s:
        save_support_override(
            s,
            SupportOverride(
                product="infusion-pump",
                component="BlueZ",
                level=SupportLevel.SECURITY_FIXES_ONLY,
                justification="vendor BSP maintains bluez 5.60 until 2028",
                author="qa@maker",
                end_of_support=date(2028, 1, 1),
            ),
            NOW,
        )
    with store.session() as s:
        assert [o.component for o in load_support_overrides(s, "infusion-pump")] == ["bluez"]
        assert audit.entries(s)[-1].action == "risk.support-override"
    pump = load_profile(examples / "infusion-pump.profile.yaml")
    _save(store, nvd, datetime(2026, 11, 20, tzinfo=UTC))
    result = assessment(store, "infusion-pump", "2.1.0", profile=pump, now=NOW, policy=Policy())
    assert [a.priority for a in result.findings] == [1, 2]
    by_id = {a.finding.vulnerability.id: a for a in result.findings}
    bluez = by_id["CVE-2022-39176"]
    assert bluez.category is PostmarketCategory.UNCONTROLLED
    assert bluez.communicate_by == date(2026, 12, 20) and bluez.fix_by == date(2027, 1, 19)
    assert bluez.nearest_safe_upgrade == "5.65"
    support = {c.component.name: c.support for c in result.components}
    assert support["bluez"].source is not None and "qa@maker" in support["bluez"].source
    assert [c.component.name for c in result.components] == ["bluez", "linux-kernel", "openssl"]
    assert result.profile_name == "Infusion pump IP-200"


def test_cli_support_override_and_rubric(store: Store, cli_env: Any) -> None:
    code, _, err = run_cli(
        "support",
        "override",
        "--product",
        "pumpp",
        "--component",
        "qt",
        "--level",
        "abandoned",
        "--justification",
        "x",
        "--author",
        "qa",
    )
    assert code == 2 and "no product named 'pumpp'" in err
    with store.session() as s:
        save_release(s, Product(name="pump"), Release(product="pump", version="1"))
    code, out, err = run_cli(
        "support",
        "override",
        "--product",
        "pump",
        "--component",
        "qt",
        "--level",
        "no-longer-maintained",
        "--end-of-support",
        "2025-05-26",
        "--justification",
        "Qt 5.15 LTS ended",
        "--author",
        "qa",
    )
    assert (code, err) == (0, "") and "no-longer-maintained" in out
    code, out, err = run_cli(
        "support",
        "override",
        "--product",
        "pump",
        "--component",
        "qt",
        "--level",
        "abandoned",
        "--end-of-support",
        "26 May",
        "--justification",
        "x",
        "--author",
        "qa",
    )
    assert code == 2 and err.startswith("error: ") and "--end-of-support" in err
    code, out, err = run_cli(
        "rubric",
        "answer",
        "--product",
        "pump",
        "--vulnerability",
        "CVE-2022-39176",
        "--metric",
        "mav",
        "--value",
        "p",
        "--reason",
        "only over the service port",
        "--author",
        "ana",
    )
    assert code == 0 and "MAV:P" in out
    code, out, err = run_cli(
        "rubric",
        "answer",
        "--product",
        "pump",
        "--vulnerability",
        "CVE-2022-39176",
        "--metric",
        "MAV",
        "--value",
        "X",
        "--reason",
        "r",
        "--author",
        "ana",
    )
    assert code == 2 and "(value)" in err and err[-1] == "\n" and err.count("\n") == 1


def test_cli_assess_bad_profile(cli_env: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.profile.yaml"
    bad.write_text("device: {name: x}\ninterfaces: []\nassets: {}\n")
    code, _out, err = run_cli("assess", "--product", "p", "--release", "1", "--profile", str(bad))
    assert code == 2 and err.startswith(f"error: {bad} (")
    assert "Traceback" not in err


def test_assess_json_shape(store: Store, nvd: dict[str, Vulnerability], examples: Path) -> None:
    from soupwatch.cli.assess_cmd import to_jsonable

    _release(store)
    pump = load_profile(examples / "infusion-pump.profile.yaml")
    _save(store, nvd, NOW)
    result = assessment(store, "infusion-pump", "2.1.0", profile=pump, now=NOW)
    from soupwatch.cli.assess_cmd import exit_code
    from soupwatch.cli.exit_codes import ExitCode

    uncontrolled = any(a.category is PostmarketCategory.UNCONTROLLED for a in result.findings)
    assert uncontrolled
    assert exit_code(result, fail_on_uncontrolled=True) is ExitCode.FINDINGS
    assert exit_code(result, fail_on_uncontrolled=False) is ExitCode.OK
    data = json.loads(json.dumps(to_jsonable(result)))
    assert data["assessed_at"] == "2026-11-28T12:00:00+00:00"
    first = data["findings"][0]
    assert first["priority"] == 1 and first["category"] in ("controlled", "uncontrolled")
    assert {"metric", "question", "answer", "value", "decided_by"} <= set(first["rubric"][0])
    assert data["components"][0]["support"]["level"] in [lvl.value for lvl in SupportLevel]


@pytest.mark.synced("nvd", "kev", "eol")
def test_end_to_end_from_synced_feeds(
    store: Store, examples: Path, nvd: dict[str, Vulnerability]
) -> None:
    """Real feeds synced into the store, findings in the findings store, then assess."""
    from soupwatch.store.finding_tables import save_findings

    comps = _release(store)
    findings = [
        Finding(
            component_ref=c.ref,
            component_name=c.name,
            component_version=c.version,
            vulnerability=nvd[cve],
            match=MatchEvidence("cpe", "nvd", c.name, "cpe", 1.0),
            fixed_versions=fixed,
        )
        for c, cve, fixed in (
            (comps[0], "CVE-2014-0160", ("1.0.1g",)),
            (comps[1], "CVE-2022-39176", ("5.65",)),
            (comps[2], "CVE-2020-12351", ("5.10.0",)),
        )
    ]
    with store.session() as s:
        save_findings(s, "infusion-pump", "2.1.0", findings, datetime(2026, 11, 2, tzinfo=UTC))
    pump = load_profile(examples / "infusion-pump.profile.yaml")
    result = assessment(store, "infusion-pump", "2.1.0", profile=pump, now=NOW)
    by_id = {a.finding.vulnerability.id: a for a in result.findings}
    assert by_id["CVE-2014-0160"].kev  # KEV joined by the intelligence query
    assert by_id["CVE-2022-39176"].first_seen == datetime(2026, 11, 2, tzinfo=UTC)
    assert by_id["CVE-2022-39176"].communicate_by == date(2026, 12, 2)
    support = {c.component.name: c for c in result.components}
    assert support["openssl"].support.level is SupportLevel.NO_LONGER_MAINTAINED
    assert support["openssl"].support_finding is not None
    assert support["linux-kernel"].support.cycle == "5.10"
    assert {s.source for s in result.snapshot} >= {"nvd", "kev", "eol"}

    # The manufacturer learnt of the BlueZ CVE from its supplier before soupwatch found it:
    # recorded (audited), the clocks start on that day; a later day never moves them.
    from soupwatch.pipeline import record_learnt_date, verify_audit

    record_learnt_date(store, "infusion-pump", "cve-2022-39176", date(2026, 10, 20),
                       reason="BlueZ maintainers' notice", author="psirt", now=NOW)  # fmt: skip
    again = assessment(store, "infusion-pump", "2.1.0", profile=pump, now=NOW)
    bluez = next(a for a in again.findings if a.finding.vulnerability.id == "CVE-2022-39176")
    assert bluez.communicate_by == date(2026, 11, 19)
    assert any(f.name == "first learnt" and "BlueZ" in f.value for f in bluez.factors)
    record_learnt_date(store, "infusion-pump", "CVE-2014-0160", date(2026, 11, 20),
                       reason="later than first seen", author="psirt", now=NOW)  # fmt: skip
    heartbleed = next(
        a
        for a in assessment(store, "infusion-pump", "2.1.0", profile=pump, now=NOW).findings
        if a.finding.vulnerability.id == "CVE-2014-0160"
    )
    assert heartbleed.first_seen == datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(RiskError, match="in the future"):
        record_learnt_date(store, "infusion-pump", "CVE-2014-0160", date(2027, 1, 1),
                           reason="typo", author="psirt", now=NOW)  # fmt: skip
    assert verify_audit(store).ok


@pytest.mark.synced("kev", "eol")
def test_cli_assess(
    store: Store, cli_env: Any, examples: Path, nvd: dict[str, Vulnerability]
) -> None:
    from soupwatch.store.finding_tables import save_findings

    comps = _release(store)
    f = Finding(
        component_ref=comps[1].ref,
        component_name="bluez",
        component_version="5.60",
        vulnerability=nvd["CVE-2022-39176"],
        fixed_versions=("5.65",),
        match=MatchEvidence("cpe", "nvd", "bluez", "cpe", 1.0),
    )
    with store.session() as s:
        save_findings(s, "infusion-pump", "2.1.0", [f], NOW)
    profile = str(examples / "infusion-pump.profile.yaml")
    args = ("assess", "--product", "infusion-pump", "--release", "2.1.0", "--profile", profile)
    code, out, err = run_cli(*args)
    assert (code, err) == (0, "")
    assert "1 findings: 1 open (1 uncontrolled, 0 awaiting assessment" in out
    assert "2 support findings" in out
    assert "Infusion pump IP-200" in out and "unsupported or soon unsupported" in out
    code, out, err = run_cli(*args, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["findings"][0]["finding"]["vulnerability"]["id"] == "CVE-2022-39176"
    assert data["findings"][0]["environmental_vector"].startswith("CVSS:3.1/")
    policy = examples.parent / "does-not-exist.yaml"
    code, _, err = run_cli(*args, "--policy", str(policy))
    assert code == 2 and "cannot read the policy" in err
    policy = Path(str(cli_env.home)) / "policy.yaml"
    policy.parent.mkdir(parents=True, exist_ok=True)
    policy.write_text("uncontrolled_communicate_days: 10\n", encoding="utf-8")
    code, out, _ = run_cli(*args, "--policy", str(policy), "--format", "json")
    assert code == 0 and json.loads(out)["findings"][0]["communicate_by"] == "2026-12-08"
    _, _, err = run_cli(*args, "--fail-on-uncontrolled")
    assert "open uncontrolled finding(s) and --fail-on-uncontrolled" in err
    code, _, err = run_cli(
        "assess", "--product", "infusion-pump", "--release", "9.9", "--profile", profile
    )
    assert code == 2 and err.startswith("error: ")


def test_profile_for_another_product_is_refused(store: Store, examples: Path) -> None:
    _release(store)
    cgm = load_profile(examples / "glucose-monitor.profile.yaml")
    with pytest.raises(RiskError) as info:
        assessment(store, "infusion-pump", "2.1.0", profile=cgm, now=NOW)
    assert "(device.product)" in str(info.value) and "glucose-monitor" in str(info.value)


def test_vex_and_stored_answer_change_the_assessment(
    store: Store, cli_env: Any, feeds: Path, examples: Path, nvd: dict[str, Vulnerability]
) -> None:
    """A VEX decision closes a finding; a stored rubric answer moves another one."""
    from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
    from soupwatch.store.finding_tables import save_findings
    from soupwatch.vex.decisions import set_decision

    comps = _release(store)
    findings = [
        Finding(
            component_ref=comps[0].ref,
            component_name="openssl",
            component_version="1.0.1f",
            vulnerability=nvd["CVE-2014-0160"],
            match=MatchEvidence("cpe", "nvd", "openssl", "cpe", 1.0),
        ),
        Finding(
            component_ref=comps[1].ref,
            component_name="bluez",
            component_version="5.60",
            vulnerability=nvd["CVE-2022-39176"],
            match=MatchEvidence("cpe", "nvd", "bluez", "cpe", 1.0),
        ),
    ]
    with store.session() as s:
        save_findings(s, "infusion-pump", "2.1.0", findings, NOW)
        set_decision(
            s,
            VexStatement(
                vulnerability="CVE-2014-0160",
                state=VexState.NOT_AFFECTED,
                scope=VexScope.PRODUCT,
                product="infusion-pump",
                component_name="openssl",
                component_version="1.0.1f",
                justification=VexJustification.CODE_NOT_PRESENT,
                author="ana",
            ),
            actor="ana",
            reason="heartbeat extension compiled out",
            now=NOW,
        )
    code, _, err = run_cli(
        "rubric",
        "answer",
        "--product",
        "infusion-pump",
        "--vulnerability",
        "CVE-2022-39176",
        "--component",
        "bluez",
        "--metric",
        "MAV",
        "--value",
        "P",
        "--reason",
        "BlueZ pairing only in service mode",
        "--author",
        "ana",
    )
    assert (code, err) == (0, "")
    pump = load_profile(examples / "infusion-pump.profile.yaml")
    result = assessment(store, "infusion-pump", "2.1.0", profile=pump, now=NOW)
    by_id = {a.finding.vulnerability.id: a for a in result.findings}
    heartbleed, bluez = by_id["CVE-2014-0160"], by_id["CVE-2022-39176"]
    assert not heartbleed.is_open and heartbleed.risk.value == "none"
    assert heartbleed.category is PostmarketCategory.CONTROLLED
    assert "VEX not_affected (code_not_present)" in heartbleed.category_rationale
    assert heartbleed.priority == 2 and heartbleed.fix_by is None
    assert "MAV:P" in (bluez.environmental_vector or "")
    assert next(r for r in bluez.rubric if r.metric == "MAV").decided_by == "vulnerability"
    assert bluez.category is PostmarketCategory.CONTROLLED

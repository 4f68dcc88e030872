"""Rubric-guided scoring on real NVD records: context changes the score, the risk and the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from cvss import CVSS3, CVSS4

from soupwatch.model import CvssScore, Finding, MatchEvidence, Vulnerability
from soupwatch.model.assessment import PostmarketCategory, RiskLevel
from soupwatch.risk.finding import Lifecycle, assess_finding
from soupwatch.risk.policy import Policy
from soupwatch.risk.profile import DeviceProfile, profile_from_dict
from soupwatch.risk.rubric import StoredAnswer, answer_rubric
from soupwatch.risk.ssvc import SsvcDecision, SsvcInputs, deployer_decision
from soupwatch.risk.upgrade import nearest_safe_upgrade

TODAY = date(2026, 11, 28)
ASSETS = {
    "diagnosis_monitoring": {
        "integrity": {"severity": "serious"},
        "availability": {"severity": "serious"},
    },
    "phi_pii": {"confidentiality": {"severity": "serious", "patients": "many"}},
}


def _profile(exposure: str, iface: str, name: str) -> DeviceProfile:
    return profile_from_dict(
        {
            "device": {"name": name, "fda_class": "II", "iec62304_class": "B", "intended_use": "x"},
            "interfaces": [
                {"type": iface, "exposure": exposure, "components": ["openssl", "lwip"]}
            ],
            "assets": ASSETS,
        }
    )


BLE = _profile("adjacent-radio", "ble", "BLE-only monitor")
INTERNET = _profile("internet", "ethernet", "Internet-facing gateway")


def _finding(vuln: Vulnerability, name: str, version: str, fixed: tuple[str, ...] = ()) -> Any:
    f = Finding(
        component_ref=f"{name}@{version}",
        component_name=name,  # type: ignore[arg-type]
        component_version=version,
        vulnerability=vuln,
        match=MatchEvidence("cpe", "nvd", name, "cpe", 1.0),
        fixed_versions=fixed,
    )
    from soupwatch.model.component import Component

    return f, Component(ref=f.component_ref, name=name, version=version)


def test_same_cve_differs_by_device(nvd: dict[str, Vulnerability]) -> None:
    f, c = _finding(nvd["CVE-2020-22283"], "lwip", "2.1.2")
    ble = assess_finding(f, c, BLE, Policy(), today=TODAY)
    net = assess_finding(f, c, INTERNET, Policy(), today=TODAY)
    assert ble.base_score == net.base_score == 7.5
    assert ble.environmental_score is not None and net.environmental_score is not None
    assert ble.environmental_score < net.environmental_score
    assert "MAV:A" in (ble.environmental_vector or "") and "MAV:N" in (
        net.environmental_vector or ""
    )
    assert (ble.risk, net.risk) == (RiskLevel.HIGH, RiskLevel.CRITICAL)
    assert ble.exposure == "adjacent-radio" and net.exposure == "internet"
    reach = {x.name: x for x in ble.factors}["reachability"]
    assert reach.value == "reachable via adjacent-radio" and "A" in reach.effect
    assert {x.name for x in net.factors} >= {
        "reachability",
        "in-context severity",
        "EPSS",
        "known exploited (CISA KEV)",
        "postmarket category",
    }
    assert "S:P" not in (ble.environmental_vector or "")  # 3.1 vector: Safety is a 4.0 metric


def test_uncontrolled_rule_and_clocks(nvd: dict[str, Vulnerability]) -> None:
    f, c = _finding(nvd["CVE-2020-22283"], "lwip", "2.1.2")
    first = datetime(2026, 11, 1, 9, 0)
    net = assess_finding(f, c, INTERNET, Policy(), today=TODAY, lifecycle=Lifecycle(first))
    assert net.category is PostmarketCategory.UNCONTROLLED
    assert "sufficiently likely" in net.category_rationale and "serious" in net.category_rationale
    assert net.communicate_by == date(2026, 12, 1) and net.fix_by == date(2026, 12, 31)
    slow = Policy(uncontrolled_communicate_days=10, uncontrolled_fix_days=20)
    tight = assess_finding(f, c, INTERNET, slow, today=TODAY, lifecycle=Lifecycle(first))
    assert tight.fix_by == date(2026, 11, 21)


def test_privilege_control_makes_it_controlled(nvd: dict[str, Vulnerability]) -> None:
    f, c = _finding(nvd["CVE-2020-22283"], "lwip", "2.1.2")
    stored = (
        StoredAnswer(
            "CVE-2020-22283", "MPR", "H", "parser reached only after pairing", "analyst@maker"
        ),
    )
    a = assess_finding(f, c, BLE, Policy(), today=TODAY, stored=stored)
    mpr = next(r for r in a.rubric if r.metric == "MPR")
    assert mpr.decided_by == "vulnerability" and "analyst@maker" in mpr.answer
    assert "MPR:H" in (a.environmental_vector or "")
    assert a.category is PostmarketCategory.CONTROLLED
    assert a.communicate_by is None and a.fix_by is not None


def test_kev_raises_priority(nvd: dict[str, Vulnerability]) -> None:
    from soupwatch.risk.assess import prioritise

    heartbleed = nvd["CVE-2014-0160"]
    lwip = nvd["CVE-2020-22283"]
    assert heartbleed.kev is not None and lwip.kev is None
    assert CVSS3(heartbleed.cvss[0].vector).scores()[0] == CVSS3(lwip.cvss[0].vector).scores()[0]
    f1, c1 = _finding(heartbleed, "openssl", "1.0.1f", ("1.0.1g",))
    f2, c2 = _finding(lwip, "lwip", "2.1.2")
    a1 = assess_finding(f1, c1, BLE, Policy(), today=TODAY)
    a2 = assess_finding(f2, c2, BLE, Policy(), today=TODAY)
    assert a1.kev and a1.risk in (RiskLevel.HIGH, RiskLevel.CRITICAL)
    # The KEV due date (2022) is shown beside the FDA clocks and never moves them.
    assert a1.fix_by is not None and a1.fix_by > heartbleed.kev.due_date
    assert heartbleed.kev.due_date.isoformat() in next(
        f.effect for f in a1.factors if f.name == "clocks"
    )
    ordered = prioritise([a2, a1])
    assert [a.finding.vulnerability.id for a in ordered] == ["CVE-2014-0160", "CVE-2020-22283"]
    assert [a.priority for a in ordered] == [1, 2]
    assert prioritise([a1, a2]) == ordered
    assert a1.nearest_safe_upgrade == "1.0.1g"


def test_environmental_vectors_parse_and_scores_match(nvd: dict[str, Vulnerability]) -> None:
    checked = 0
    for vuln in nvd.values():
        if not any(s.version.startswith("3") for s in vuln.cvss):
            continue
        for profile in (BLE, INTERNET):
            f, c = _finding(vuln, "openssl", "1.0.2")
            a = assess_finding(f, c, profile, Policy(), today=TODAY)
            assert a.environmental_vector is not None
            parsed = CVSS3(a.environmental_vector)
            assert float(parsed.scores()[2]) == a.environmental_score
            for metric in ("MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA", "CR", "IR", "AR"):
                assert f"/{metric}:" in a.environmental_vector
            checked += 1
    assert checked >= 40


def test_unreachable_component(nvd: dict[str, Vulnerability]) -> None:
    internal = profile_from_dict(
        {
            "device": {"name": "d", "fda_class": "II", "iec62304_class": "B", "intended_use": "x"},
            "interfaces": [{"type": "none", "exposure": "none", "components": ["sqlite"]}],
            "assets": ASSETS,
        }
    )
    f, c = _finding(nvd["CVE-2022-35737"], "sqlite", "3.38.0", ("3.39.2",))
    a = assess_finding(f, c, internal, Policy(), today=TODAY)
    assert a.reachable is False and "MAV:L" in (a.environmental_vector or "")
    assert a.category is PostmarketCategory.CONTROLLED
    assert "no exposed interface" in a.category_rationale


def test_unknown_reachability_is_conservative(nvd: dict[str, Vulnerability]) -> None:
    f, c = _finding(nvd["CVE-2022-35737"], "sqlite", "3.38.0")
    a = assess_finding(f, c, BLE, Policy(), today=TODAY)
    assert a.reachable is None
    assert "MAV:N" in (a.environmental_vector or "")
    mav = next(r for r in a.rubric if r.metric == "MAV")
    assert mav.decided_by == "default" and "conservative" in mav.answer


def test_cvss4_safety_metric() -> None:
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    vuln = Vulnerability(
        id="CVE-0000-0000",  # type: ignore[arg-type]
        cvss=(CvssScore("4.0", vector, 9.3, "cna"),),
    )
    f, c = _finding(vuln, "openssl", "3.0.0")
    a = assess_finding(f, c, BLE, Policy(), today=TODAY)
    assert a.cvss4_vector is not None and "/S:P" in a.cvss4_vector and "MAV:A" in a.cvss4_vector
    assert float(CVSS4(a.cvss4_vector).base_score) == a.cvss4_score
    assert a.environmental_vector is None and a.base_score == 9.3


def test_no_cvss_is_awaiting_assessment_not_a_guess(nvd: dict[str, Vulnerability]) -> None:
    awaiting = nvd["CVE-2023-52160"]
    assert not awaiting.cvss and awaiting.kev is None and awaiting.epss is None
    f, c = _finding(awaiting, "openssl", "1.0.2")
    a = assess_finding(f, c, INTERNET, Policy(), today=TODAY)
    assert a.category is PostmarketCategory.AWAITING_ASSESSMENT
    assert a.is_awaiting_assessment and not a.is_uncontrolled
    assert "no data to judge exploitability" in a.category_rationale
    assert a.environmental_score is None
    # Until a person judges it, it runs on the clocks of an uncontrolled risk.
    assert a.communicate_by == TODAY + timedelta(days=30)


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (("active", "open", "yes", "catastrophic", "degraded"), SsvcDecision.IMMEDIATE),
        (("none", "small", "no", "negligible", "degraded"), SsvcDecision.DEFER),
        (("public-poc", "controlled", "yes", "critical", "mef-failure"), SsvcDecision.SCHEDULED),
        (("public-poc", "open", "yes", "critical", "mef-failure"), SsvcDecision.OUT_OF_CYCLE),
        (("active", "open", "no", "critical", "mission-failure"), SsvcDecision.IMMEDIATE),
    ],
)
def test_ssvc_deployer_rows(inputs: tuple[str, str, str, str, str], expected: SsvcDecision) -> None:
    assert deployer_decision(SsvcInputs(*inputs)) is expected


def test_nearest_safe_upgrade() -> None:
    assert nearest_safe_upgrade("1.1.1k", ("3.0.7", "1.1.1l", "1.1.1n")) == "1.1.1l"
    assert nearest_safe_upgrade("5.10.100", ("6.1.2", "5.10.102", "5.15.30")) == "5.10.102"
    assert nearest_safe_upgrade("2.14.1", ("2.17.1", "2.12.4", "2.3.2")) == "2.17.1"
    assert nearest_safe_upgrade("3.0.7", ("1.1.1l",)) is None
    assert nearest_safe_upgrade(None, ("1.0",)) is None


def test_answer_rubric_profile_decisions(examples: Any) -> None:
    from soupwatch.model.component import Component
    from soupwatch.risk.profile import load_profile

    pump = load_profile(examples / "infusion-pump.profile.yaml")
    bluez = Component(ref="b", name="bluez", version="5.60")  # type: ignore[arg-type]
    base = {"AV": "N", "AC": "L", "PR": "N", "UI": "N", "S": "U", "C": "H", "I": "H", "A": "H"}
    ctx = answer_rubric(pump, bluez, base, "CVE-2022-39176")
    assert ctx.get("MAV") == "A" and ctx.get("IR") == "H" and ctx.get("CR") == "M"
    decided = {r.metric: r.decided_by for r in ctx.answers}
    assert decided["MAV"] == "profile" and decided["IR"] == "profile"
    assert decided["MAC"] == "default"
    wifi = Component(ref="w", name="wpa_supplicant", version="2.9")  # type: ignore[arg-type]
    ctx = answer_rubric(pump, wifi, base, "CVE-2023-52160")
    assert ctx.get("MAV") == "A"  # the medical-device VLAN control
    assert "VLAN" in next(r.answer for r in ctx.answers if r.metric == "MAV")


def test_exploit_references_are_narrow(nvd: dict[str, Vulnerability]) -> None:
    from soupwatch.risk.exploitability import exploit_references

    refs = exploit_references(nvd["CVE-2014-0160"])
    assert refs and all(
        "exploit-db.com" in r or "github.com" in r or "packetstorm" in r for r in refs
    )
    assert not any(
        "seclists.org" in r or "Security-Notice" in r
        for v in nvd.values()
        for r in exploit_references(v)
    )


def test_cvss_v2_only_record(feeds: Any, kev_entries: Any) -> None:
    import gzip
    import json

    with gzip.open(feeds / "nvd-1.1" / "nvdcve-1.1-2014-subset.json.gz") as fh:
        items = json.loads(fh.read())["CVE_Items"]
    item = next(i for i in items if i["cve"]["CVE_data_meta"]["ID"] == "CVE-2014-0195")
    v2 = item["impact"]["baseMetricV2"]["cvssV2"]
    assert "baseMetricV3" not in item["impact"]
    vuln = Vulnerability(
        id="CVE-2014-0195",  # type: ignore[arg-type]
        cvss=(CvssScore("2.0", v2["vectorString"], v2["baseScore"], "nvd"),),
    )
    f, c = _finding(vuln, "openssl", "1.0.1f")
    a = assess_finding(f, c, INTERNET, Policy(), today=TODAY)
    assert a.base_vector == v2["vectorString"] and a.base_score == v2["baseScore"]
    assert a.environmental_vector is None
    assert any(x.name == "CVSS version" for x in a.factors)
    assert {r.metric: r.value for r in a.rubric}["MAV"] == "N"


def test_profile_yaml_answers_are_used(nvd: dict[str, Vulnerability], examples: Any) -> None:
    from soupwatch.risk.assess import FindingInput, build_assessment

    data = {
        "device": {"name": "d", "fda_class": "II", "iec62304_class": "B", "intended_use": "x"},
        "interfaces": [{"type": "ble", "exposure": "adjacent-radio", "components": ["lwip"]}],
        "assets": ASSETS,
        "answers": [
            {
                "vulnerability": "CVE-2020-22283",
                "component": "lwIP",
                "metric": "MUI",
                "value": "R",
                "reason": "a clinician must start a transfer",
                "author": "ana@maker",
            }
        ],
    }
    profile = profile_from_dict(data)
    f, c = _finding(nvd["CVE-2020-22283"], "lwip", "2.1.2")
    result = build_assessment(
        product="p",
        release="1",
        components=[c],
        findings=[FindingInput(f)],
        profile=profile,
        policy=Policy(),
        now=datetime(2026, 11, 28),
        eol_products=[],
    )
    a = result.findings[0]
    assert "MUI:R" in (a.environmental_vector or "")
    mui = next(r for r in a.rubric if r.metric == "MUI")
    assert mui.decided_by == "vulnerability" and "ana@maker" in mui.answer


def test_controls_named_in_rationale_and_labeling(
    nvd: dict[str, Vulnerability], examples: Any
) -> None:
    from soupwatch.risk.profile import load_profile

    pump = load_profile(examples / "infusion-pump.profile.yaml")
    f, c = _finding(nvd["CVE-2022-48174"], "busybox", "1.33.1")
    a = assess_finding(f, c, pump, Policy(), today=TODAY)
    assert "MAV:A" in (a.environmental_vector or "")
    assert "after compensating control(s): medical-device VLAN" in a.category_rationale
    assert a.labeling_impact is not None and "medical-device VLAN" in a.labeling_impact
    ir = next(r for r in a.rubric if r.metric == "IR")
    assert "therapy_delivery catastrophic (one patient)" in ir.answer
    assert "system_secrets critical" in ir.answer and ir.answer.endswith("→ IR:H")

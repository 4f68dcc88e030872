"""CSAF 2.0 security advisory: schema-valid, mandatory tests pass, statuses per release."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soupwatch.errors import ReportError
from soupwatch.model.assessment import Assessment
from soupwatch.report import csaf_checks
from soupwatch.report.advisory import AdvisoryMeta, build_advisory
from soupwatch.vex.csaf import validate

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
META = AdvisoryMeta(NOW, "Acme Medical", "https://acme-medical.example")


def _releases(a: Assessment) -> list[Assessment]:
    """4.1.0 without any VEX decision, 4.2.0 as assessed, 4.3.0 with openssl upgraded."""
    older = replace(
        a,
        release="4.1.0",
        findings=tuple(replace(f, vex=None, resolved_at=None) for f in a.findings),
    )
    newer = replace(
        a,
        release="4.3.0",
        findings=tuple(f for f in a.findings if f.finding.component_name != "openssl"),
    )
    return [older, a, newer]


def _status(doc: dict, vuln: int = 0) -> dict[str, list[str]]:
    return doc["vulnerabilities"][vuln]["product_status"]


def test_heartbleed_advisory_validates_and_names_the_fix(
    assessment: Assessment, shared: Path
) -> None:
    doc = build_advisory("InfusionPump X", "CVE-2014-0160", _releases(assessment), META)
    assert validate(doc, shared / "schemas") == []
    assert csaf_checks.check(doc) == []
    assert doc["document"]["category"] == "csaf_security_advisory"
    assert _status(doc) == {
        "fixed": ["CSAFPID-InfusionPump-X-4.3.0"],
        "known_affected": ["CSAFPID-InfusionPump-X-4.1.0", "CSAFPID-InfusionPump-X-4.2.0"],
    }
    v = doc["vulnerabilities"][0]
    assert v["cve"] == "CVE-2014-0160"
    fixes = [r for r in v["remediations"] if r["category"] == "vendor_fix"]
    assert {r["details"] for r in fixes} == {"Update to release 4.3.0, which is fixed."}
    [score] = v["scores"]
    assert score["cvss_v3"]["baseScore"] == 7.5 and score["cvss_v3"]["baseSeverity"] == "HIGH"
    assert doc["document"]["tracking"]["current_release_date"] == "2026-11-29T08:00:00Z"


def test_not_affected_release_gets_flag_and_impact(assessment: Assessment, shared: Path) -> None:
    doc = build_advisory("InfusionPump X", "CVE-2022-39176", _releases(assessment), META)
    assert validate(doc, shared / "schemas") == []
    assert csaf_checks.check(doc) == []
    status = _status(doc)
    assert status["known_not_affected"] == [
        "CSAFPID-InfusionPump-X-4.2.0",
        "CSAFPID-InfusionPump-X-4.3.0",
    ]
    v = doc["vulnerabilities"][0]
    assert v["flags"] == [
        {
            "label": "vulnerable_code_not_in_execute_path",
            "product_ids": ["CSAFPID-InfusionPump-X-4.2.0", "CSAFPID-InfusionPump-X-4.3.0"],
        }
    ]
    impacts = {t["product_ids"][0]: t["details"] for t in v["threats"]}
    assert "AVRCP" in impacts["CSAFPID-InfusionPump-X-4.2.0"]


def test_workaround_from_vex_response(assessment: Assessment, shared: Path) -> None:
    doc = build_advisory("InfusionPump X", "CVE-2022-48174", [assessment], META)
    assert validate(doc, shared / "schemas") == [] and csaf_checks.check(doc) == []
    rems = doc["vulnerabilities"][0]["remediations"]
    assert {
        "category": "workaround",
        "product_ids": ["CSAFPID-InfusionPump-X-4.2.0"],
        "details": "Service shell disabled in production images.",
    } in rems


def test_previous_version_continues_revision_history(assessment: Assessment, shared: Path) -> None:
    first = build_advisory("InfusionPump X", "CVE-2014-0160", [assessment], META)
    later = replace(
        META,
        now=datetime(2026, 12, 5, tzinfo=UTC),
        previous=first,
        summary="Release 4.3.0 fixes it.",
    )
    second = build_advisory("InfusionPump X", "CVE-2014-0160", _releases(assessment), later)
    t = second["document"]["tracking"]
    assert t["version"] == "2" and [h["number"] for h in t["revision_history"]] == ["1", "2"]
    assert t["initial_release_date"] == "2026-11-29T08:00:00Z"
    assert csaf_checks.check(second) == [] and validate(second, shared / "schemas") == []


def test_unknown_vulnerability_is_a_clear_error(assessment: Assessment) -> None:
    with pytest.raises(ReportError, match="no release of 'InfusionPump X' has a finding"):
        build_advisory("InfusionPump X", "CVE-1999-0001", [assessment], META)


def test_mandatory_tests_catch_broken_documents(assessment: Assessment) -> None:
    good = build_advisory("InfusionPump X", "CVE-2014-0160", _releases(assessment), META)

    def failures(mutate) -> set[str]:
        doc = copy.deepcopy(good)
        mutate(doc)
        return {f.test for f in csaf_checks.check(doc)}

    v = "vulnerabilities"
    assert failures(
        lambda d: d[v][0]["product_status"]["known_affected"].append("CSAFPID-nowhere")
    ) == {"6.1.1"}
    assert "6.1.6" in failures(
        lambda d: d[v][0]["product_status"]["fixed"].append("CSAFPID-InfusionPump-X-4.1.0")
    )
    assert failures(lambda d: d[v][0]["scores"][0]["cvss_v3"].update(baseScore=9.9)) == {"6.1.9"}
    assert failures(lambda d: d[v][0]["scores"][0]["cvss_v3"].update(attackVector="LOCAL")) == {
        "6.1.10"
    }
    assert "6.1.7" in failures(lambda d: d[v][0]["scores"].append(d[v][0]["scores"][0]))
    leaf = good["product_tree"]["branches"][0]["branches"][0]["branches"]
    assert "6.1.2" in failures(
        lambda d: d["product_tree"]["branches"][0]["branches"][0]["branches"].append(
            copy.deepcopy(leaf[0])
        )
    )

    def unsorted(d: dict) -> None:
        t = d["document"]["tracking"]
        t["revision_history"] = [
            {"date": "2026-12-01T00:00:00Z", "number": "1", "summary": "a"},
            {"date": "2026-11-01T00:00:00Z", "number": "2", "summary": "b"},
        ]
        t["version"] = "2"

    assert failures(unsorted) == {"6.1.14"}
    assert failures(lambda d: d["document"]["tracking"].update(version="3")) == {"6.1.16"}
    assert failures(lambda d: d[v][0].pop("notes")) == {"6.1.27.5"}

"""The per-run context memo returns exactly what scoring each finding afresh returns."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from soupwatch.model import Finding, MatchEvidence, Vulnerability
from soupwatch.risk.finding import assess_finding
from soupwatch.risk.policy import Policy
from soupwatch.risk.profile import load_profile
from soupwatch.risk.rubric import StoredAnswer
from soupwatch.risk.score import ContextCache, context_for

TODAY = date(2026, 11, 28)
NAMES = ("openssl", "linux-kernel", "bluez", "busybox", "unlisted-lib")


def test_memo_equals_fresh_scoring_on_real_records(
    nvd: dict[str, Vulnerability], examples: Path, make_component: Any
) -> None:
    profile = load_profile(examples / "infusion-pump.profile.yaml")
    vulns = sorted(nvd.values(), key=lambda v: v.id)
    assert len(vulns) >= 10
    first = vulns[0].id
    stored = (
        StoredAnswer(first, "MAC", "H", "needs a crafted BLE pairing", "psirt@acme"),
        StoredAnswer(first, "MPR", "H", "only for bluez", "psirt@acme", component="bluez"),
    )
    cache = ContextCache(profile, stored)
    components = [make_component(n, "1.0") for n in NAMES]
    policy = Policy()
    compared = 0
    for i, vuln in enumerate(vulns):
        for comp in components if i < 3 else components[i % len(components) :][:1]:
            fresh = context_for(vuln, profile, comp, stored)
            assert cache.context(vuln, comp) == fresh, (vuln.id, comp.name)
            finding = Finding(
                component_ref=comp.ref,
                component_name=comp.name,
                component_version="1.0",
                vulnerability=vuln,
                match=MatchEvidence("cpe", "nvd", comp.name, "cpe", 1.0),
                fixed_versions=("1.0.2", "1.0.1", "2.0"),
            )
            alone = assess_finding(finding, comp, profile, policy, today=TODAY, stored=stored)
            memo = assess_finding(
                finding, comp, profile, policy, today=TODAY, stored=stored, contexts=cache
            )
            assert memo == alone
            compared += 1
    assert compared >= len(vulns)
    # the stored answer for one component applies to that component only, through the memo too
    bluez = cache.context(vulns[0], components[2])
    other = cache.context(vulns[0], components[0])
    assert bluez.metrics is not None and other.metrics is not None
    assert bluez.metrics.get("MPR") == "H"
    decided = {a.metric: a.decided_by for a in other.metrics.answers}
    assert decided["MAC"] == "vulnerability" and decided["MPR"] != "vulnerability"
    assert {a.metric: a.decided_by for a in bluez.metrics.answers}["MPR"] == "vulnerability"

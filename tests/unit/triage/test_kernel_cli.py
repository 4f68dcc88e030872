"""End to end: real kernel CNA records, findings of a release, ``triage kernel`` with --apply."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import run_cli

from soupwatch.config import Settings
from soupwatch.model import (
    Component,
    ComponentRef,
    Finding,
    MatchEvidence,
    Product,
    Release,
    Vulnerability,
    VulnId,
)
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.store.inventory import save_release
from soupwatch.vex import audit
from soupwatch.vex.decisions import list_decisions

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "infusion-pump.kconfig"
OFF, ON = "CVE-2022-49326", "CVE-2022-48947"  # rtl8180 Wi-Fi driver; net/bluetooth/l2cap_core.c


def _release(store: Store) -> None:
    kernel = Component(ref=ComponentRef("linux-5.10.52"), name="linux", version="5.10.52")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.session() as s:
        save_release(
            s, Product(name="pump"), Release(product="pump", version="1", components=(kernel,))
        )
        findings = [
            Finding(kernel.ref, "linux", "5.10.52", Vulnerability(VulnId(cve)),
                    MatchEvidence("cna-range", "cve5", "linux", "git", 1.0))
            for cve in (OFF, ON)
        ]  # fmt: skip
        save_findings(s, "pump", "1", findings, now)


@pytest.mark.synced("cve5")
def test_triage_kernel_end_to_end(store: Store, cli_env: Settings) -> None:
    _release(store)
    args = ("triage", "kernel", "--product", "pump", "--release", "1", "--config", str(EXAMPLE))
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "not_built 1" in out and "built 1" in out
    with store.session() as s:
        assert list_decisions(s, product="pump") == []  # nothing written without --apply

    code, out, err = run_cli(*args, "--apply", "--author", "qa@example.com")
    assert code == 0, err
    with store.session() as s:
        saved = list_decisions(s, product="pump")
    assert [d.vulnerability for d in saved] == [OFF]
    d = saved[0]
    assert d.state.value == "not_affected" and d.justification
    assert d.justification.value == "code_not_present" and d.author == "qa@example.com"
    assert "CONFIG_WLAN_VENDOR_REALTEK (via drivers/net/wireless/Makefile:19)" in (d.detail or "")
    with store.session() as s:
        log = audit.export(s)
    assert [e["reason"] for e in log] == ["kernel config triage"]

    bad = EXAMPLE.parent / "infusion-pump.cdx.json"
    code, _, err = run_cli("triage", "kernel", "--product", "pump", "--release", "1",
                           "--config", str(bad))  # fmt: skip
    assert code == 2 and "infusion-pump.cdx.json (line 1)" in err

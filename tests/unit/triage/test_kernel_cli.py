"""End to end: real kernel CNA records, findings of a release, ``triage kernel`` with --apply,
the map picked by the device kernel's series, and a map of another series built with --source."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import run_cli
from tests.unit.triage.test_series import synthetic_tree

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
from soupwatch.pipeline import kernel_triage_summary
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
def test_triage_kernel_end_to_end(store: Store, cli_env: Settings, tmp_path: Path) -> None:
    _release(store)
    args = ("triage", "kernel", "--product", "pump", "--release", "1", "--config", str(EXAMPLE))
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "not_built 1" in out and "built 1" in out
    assert "judged with the Kbuild map of linux 5.10 (5.10.262, bundled" in out  # by series
    assert "device kernel 5.10.52" in out and "WARNING" not in out
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
    assert "CONFIG_WLAN_VENDOR_REALTEK (via drivers/net/wireless/Makefile:17)" in (d.detail or "")
    assert "Judged with the Kbuild map of linux 5.10 (5.10.262, bundled" in (d.detail or "")
    stored = kernel_triage_summary(store, "pump", "1")
    assert stored is not None and stored.map_series == "5.10" and stored.recorded == 1
    assert stored.device_kernel == "5.10.52" and not stored.series_mismatch
    assert dict(stored.counts) == {"built": 1, "not_built": 1, "unknown": 0}
    with store.session() as s:
        log = audit.export(s)
    assert [e["reason"] for e in log] == ["kernel config triage"]

    # a 6.1 tree without the Wi-Fi Makefiles: loud mismatch, and the absent files stay unknown
    tree = synthetic_tree(tmp_path / "linux-6.1", "6.1.7")
    code, out, err = run_cli(*args, "--kernel-tree", str(tree), "--format", "json", "--apply")
    assert code == 0, err
    data = json.loads(out)
    assert data["kbuild_map"]["series"] == "6.1" and data["kbuild_map"]["origin"] == "source"
    assert data["series_mismatch"] is True and data["device_kernel"]["version"] == "5.10.52"
    assert "warning: the device kernel is 5.10.52" in err and "series 5.10" in err
    assert data["counts"] == {"built": 0, "not_built": 0, "unknown": 2}
    off = next(f for f in data["findings"] if f["vulnerability"] == OFF)
    assert off["evidence"].endswith("dev.c not in the Kbuild map of linux 6.1 (6.1.7).")
    # the earlier not_affected is not confirmed by this map: back in triage, audited
    assert data["recorded"] == 0 and data["withdrawn"] == 1
    with store.session() as s:
        (back,) = list_decisions(s, product="pump")
    assert back.vulnerability == OFF and back.state.value == "in_triage"
    assert "not_affected withdrawn, now unknown" in (back.detail or "")
    stored = kernel_triage_summary(store, "pump", "1")
    assert stored is not None and stored.series_mismatch and stored.withdrawn == 1

    bad = EXAMPLE.parent / "infusion-pump.cdx.json"
    code, _, err = run_cli("triage", "kernel", "--product", "pump", "--release", "1",
                           "--config", str(bad))  # fmt: skip
    assert code == 2 and "infusion-pump.cdx.json (line 1)" in err

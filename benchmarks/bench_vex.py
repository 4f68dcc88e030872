"""Benchmark the VEX stage: decision lookup for a large release, audit append and verify.

Prints time and peak memory of each step and its ratio against a baseline measured in the
same process (hashing the same number of canonical JSON entries without a database).
Runs on a temporary SQLite database.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soupwatch.config import Settings
from soupwatch.model import ComponentRef, Finding, MatchEvidence, Vulnerability, VulnId
from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
from soupwatch.store.db import Store
from soupwatch.vex import audit
from soupwatch.vex.decisions import decisions_for, set_decision

NOW = datetime(2026, 3, 1, tzinfo=UTC)
N_FINDINGS = 5000
N_DECISIONS = 1000


def measure(label: str, fn: Callable[[], Any]) -> float:
    """Run ``fn`` once; print seconds and peak MiB; return seconds."""
    tracemalloc.start()
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<44} {elapsed:8.3f} s  peak {peak:7.1f} MiB")
    return elapsed


def _finding(i: int) -> Finding:
    name = f"lib{i % 400}"
    return Finding(
        ComponentRef(f"pkg:generic/{name}@1.{i % 7}"),
        name,
        f"1.{i % 7}",
        Vulnerability(VulnId(f"CVE-2024-{10000 + i}")),
        MatchEvidence("cpe", "nvd", name, name, 1.0),
    )


def main() -> int:
    """Run the benchmark; 0 when it completes."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Settings(home=Path(tmp), database_url=f"sqlite:///{tmp}/b.db"))
        findings = [_finding(i) for i in range(N_FINDINGS)]

        def decide() -> None:
            with store.session() as s:
                for i in range(N_DECISIONS):
                    f = findings[i * 3]
                    set_decision(
                        s,
                        VexStatement(
                            vulnerability=f.vulnerability.id,
                            state=VexState.NOT_AFFECTED,
                            scope=VexScope.PRODUCT if i % 2 else VexScope.COMPONENT,
                            product="pump",
                            component_name=f.component_name,
                            component_version=f.component_version,
                            justification=VexJustification.CODE_NOT_REACHABLE,
                        ),
                        actor="bench",
                        reason="bench",
                        now=NOW,
                    )

        def lookup() -> None:
            with store.session() as s:
                got = decisions_for(s, "pump", "1.0", findings, NOW)
            assert len(got.decisions) == N_DECISIONS

        def verify() -> None:
            with store.session() as s:
                assert audit.verify(s).ok

        def baseline() -> None:
            prev = "0" * 64
            for i in range(N_DECISIONS):
                body = json.dumps({"seq": i, "new": {"state": "not_affected"}}, sort_keys=True)
                prev = hashlib.sha256((body + prev).encode()).hexdigest()

        base = measure(f"baseline: hash {N_DECISIONS} entries in memory", baseline)
        t_set = measure(f"set_decision x{N_DECISIONS} (audited, one tx)", decide)
        t_look = measure(f"decisions_for {N_FINDINGS} findings", lookup)
        t_ver = measure(f"audit verify {N_DECISIONS} entries", verify)
        for label, t in (("set_decision", t_set), ("decisions_for", t_look), ("verify", t_ver)):
            print(f"ratio {label:<14} {t / base:10.1f} x baseline")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

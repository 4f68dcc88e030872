"""Writers that cannot collide: four real processes at once on SQLite and on PostgreSQL.

Each process starts on the same EMPTY database (migrations under a lock), imports one SBOM into
the same new products and releases as the others (get-or-create), then records decisions on the
same two findings: half blind (recorded as the next version), half naming the version they read
(a clear conflict when another wrote first). Every process succeeds, nothing is created twice,
no decision is lost, and the audit chain verifies.

4 × 25 decisions here; the 4 × 100 measurement is ``python -m tests.e2e.writers first-runs``
(docs/reliability.md, "Concurrency").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e import writers

PROCESSES = 4
ROUNDS = 4
WRITES = 25


@pytest.mark.slow
def test_four_first_runs_import_and_decide_at_once(
    db_url: str, corpus: Path, tmp_path: Path
) -> None:
    sbom = corpus / "sboms" / "libspdm__sbom.cdx.json"
    outcome = writers.run(
        "first-runs",
        db_url,
        processes=PROCESSES,
        writes=WRITES,
        rounds=ROUNDS,
        tmp=tmp_path,
        sbom=sbom,
    )
    assert outcome.errors == []
    assert outcome.imported == PROCESSES * ROUNDS
    # even rounds share release 1.0; odd rounds give each worker its own release
    assert writers.check_imports(db_url, sbom) == {
        "products": ROUNDS,
        "releases": ROUNDS // 2 * (1 + PROCESSES),
        "releases_with_wrong_component_count": 0,
    }

    assert outcome.ok + outcome.conflicts == PROCESSES * WRITES
    assert outcome.ok >= PROCESSES * ((WRITES + 1) // 2)  # blind writes are never refused
    check = writers.check_decisions(db_url)
    assert check["chain_ok"] is True, check["problem"]
    assert check["entries"] == outcome.ok  # one audit entry per recorded decision, no more
    versions = [check[vuln] for vuln, _, _ in writers.SUBJECTS]
    assert sum(versions) == outcome.ok  # every recorded decision raised its version once

"""Concurrent writers in separate processes: decisions, imports and first runs on one database.

Used by ``tests/e2e/test_concurrent_writers.py`` (4 processes × 25 decisions per database) and
run by hand for the full measurement (docs/reliability.md, "Concurrency")::

    PYTHONPATH=src:. python -m tests.e2e.writers first-runs --url sqlite:////tmp/w.db \\
        --processes 4 --rounds 10 --writes 100 --sbom ../shared/corpus/sboms/libspdm__sbom.cdx.json

Every worker waits for a common start signal (a file), so the processes really write at once,
and prints one JSON line: what succeeded, what was refused as a conflict, and every other
error with its type (a traceback would be one). The driver then checks the store.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = "new-product-0"
SUBJECTS = (("CVE-2024-0001", "openssl", "3.0.1"), ("CVE-2024-0002", "zlib", "1.2.13"))
"""The findings every writer decides on (the same two for every process)."""


@dataclass
class Outcome:
    """What the workers of one run did, and how long the run took."""

    imported: int = 0
    ok: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    per_worker: list[dict[str, Any]] = field(default_factory=list)


# --- workers (run in their own process) -------------------------------------------------------


def _wait(go: Path, worker: int) -> None:
    Path(f"{go}.ready-{worker}").touch()
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("start signal never came")
        time.sleep(0.005)


def _open(url: str, migrate: bool = True) -> Any:
    from soupwatch.config import Settings
    from soupwatch.store.db import Store

    return Store.open(Settings(home=Path(tempfile.gettempdir()), database_url=url), migrate=migrate)


def work_decisions(url: str, worker: int, writes: int, go: Path) -> dict[str, Any]:
    """``writes`` decisions on the same findings as the other workers (see :func:`_decide`)."""
    store = _open(url, migrate=False)
    result = _result(worker)
    _wait(go, worker)
    try:
        _decide(store, worker, writes, result)
    finally:
        store.close()
    return result


def work_first_runs(
    url: str, worker: int, rounds: int, writes: int, sbom: str, go: Path, processes: int
) -> dict[str, Any]:
    """The first command on an empty database, imports into the same new products, decisions.

    Per round, one SBOM is imported into the same NEW product as the other workers (and, every
    other round, the same new release). Then, once every worker is done importing, ``writes``
    decisions on the same findings (:func:`_decide`).
    """
    from soupwatch.pipeline import import_sbom

    result = _result(worker)
    _wait(go, worker)
    try:
        store = _open(url)  # migrates: the first run on this database, like the others
    except Exception as err:
        result["errors"].append(f"first run: {type(err).__name__}: {err}"[:300])
        return result
    try:
        for r in range(rounds):
            release = "1.0" if r % 2 == 0 else f"w{worker}"
            try:
                import_sbom(store, sbom, f"new-product-{r}", release)
                result["imported"] += 1
            except Exception as err:
                result["errors"].append(f"import: {type(err).__name__}: {err}"[:300])
        _barrier(Path(f"{go}.imported"), worker, processes)
        _decide(store, worker, writes, result)
    finally:
        store.close()
    return result


def _result(worker: int) -> dict[str, Any]:
    return {"worker": worker, "imported": 0, "ok": 0, "conflicts": 0, "errors": []}


def _barrier(prefix: Path, worker: int, processes: int) -> None:
    Path(f"{prefix}-{worker}").touch()
    deadline = time.monotonic() + 300
    while not all(Path(f"{prefix}-{w}").exists() for w in range(processes)):
        if time.monotonic() > deadline:
            raise SystemExit("the other workers never finished importing")
        time.sleep(0.005)


def _decide(store: Any, worker: int, writes: int, result: dict[str, Any]) -> None:
    """Even writes are blind, odd ones name the version they read.

    A blind write must always be recorded (as the next version); a write naming the version it
    read may be refused with DecisionConflict when another process wrote in between.
    """
    from soupwatch.errors import DecisionConflict
    from soupwatch.model.vex import VexScope, VexState, VexStatement
    from soupwatch.pipeline import list_decisions, record_decision

    for i in range(writes):
        # writes 0, 1 on the first finding, 2, 3 on the second, …: both see both kinds
        vuln, name, version = SUBJECTS[(i // 2) % len(SUBJECTS)]
        statement = VexStatement(
            vulnerability=vuln,
            state=VexState.IN_TRIAGE if i % 3 else VexState.EXPLOITABLE,
            scope=VexScope.PRODUCT,
            product=PRODUCT,
            component_name=name,
            component_version=version,
            detail=f"worker {worker} write {i}",
            author=f"writer-{worker}",
        )
        expected = None
        if i % 2:
            current = list_decisions(store, product=PRODUCT, vulnerability=vuln)
            expected = (current[0].version or 0) if current else 0
        try:
            record_decision(
                store,
                statement,
                actor=f"writer-{worker}",
                reason=f"race {worker}/{i}",
                now=datetime.now(UTC),
                expected_version=expected,
            )
            result["ok"] += 1
        except DecisionConflict:
            result["conflicts"] += 1
        except Exception as err:  # every other failure is what this test hunts
            result["errors"].append(f"decision: {type(err).__name__}: {err}"[:300])


def work_migrate(url: str, worker: int, go: Path) -> dict[str, Any]:
    """The first command on an empty database: open (and so migrate) the store."""
    result = _result(worker)
    _wait(go, worker)
    try:
        _open(url).close()
        result["ok"] += 1
    except Exception as err:
        result["errors"].append(f"{type(err).__name__}: {err}"[:300])
    return result


def _worker_main(args: argparse.Namespace) -> int:
    go = Path(args.go)
    try:
        if args.mode == "decisions":
            out = work_decisions(args.url, args.worker, args.writes, go)
        elif args.mode == "first-runs":
            out = work_first_runs(
                args.url, args.worker, args.rounds, args.writes, args.sbom, go, args.processes
            )
        else:
            out = work_migrate(args.url, args.worker, go)
    except BaseException:
        out = {**_result(args.worker), "errors": [traceback.format_exc()]}
    print(json.dumps(out), flush=True)
    return 0


# --- driver ----------------------------------------------------------------------------------


def setup_decisions(url: str) -> None:
    """A migrated store with the product whose findings the writers decide on."""
    from soupwatch.model import Component, ComponentRef, Product, Release
    from soupwatch.store import inventory

    store = _open(url)
    try:
        components = tuple(
            Component(ref=ComponentRef(f"{n}@{v}"), name=n, version=v) for _, n, v in SUBJECTS
        )
        with store.session() as session:
            inventory.save_release(
                session,
                Product(PRODUCT),
                Release(product=PRODUCT, version="1.0", components=components),
            )
    finally:
        store.close()


def run(
    mode: str,
    url: str,
    *,
    processes: int,
    writes: int,
    tmp: Path,
    sbom: Path | None = None,
    rounds: int = 0,
) -> Outcome:
    """Start ``processes`` workers, release them at once, collect what each did."""
    go = tmp / f"go-{mode}-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    cmd = [sys.executable, "-m", "tests.e2e.writers", "worker", mode, "--url", url]
    procs = [
        subprocess.Popen(
            [*cmd, "--worker", str(w), "--writes", str(writes), "--go", str(go)]
            + ["--processes", str(processes), "--rounds", str(rounds)]
            + (["--sbom", str(sbom)] if sbom else []),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(processes)
    ]
    ready = [Path(f"{go}.ready-{w}") for w in range(processes)]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    t0 = time.perf_counter()
    go.touch()
    outcome = Outcome()
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        if p.returncode != 0 or not stdout.strip():
            outcome.errors.append(f"worker exited {p.returncode}: {stderr[-2000:]}")
            continue
        got = json.loads(stdout.strip().splitlines()[-1])
        outcome.per_worker.append(got)
        outcome.ok += got["ok"]
        outcome.imported += got["imported"]
        outcome.conflicts += got["conflicts"]
        outcome.errors += got["errors"]
        if stderr.strip():
            outcome.errors.append(f"worker {got['worker']} wrote to stderr: {stderr[-2000:]}")
    outcome.seconds = time.perf_counter() - t0
    for path in tmp.glob(f"{go.name}*"):
        path.unlink(missing_ok=True)
    return outcome


def check_decisions(url: str) -> dict[str, Any]:
    """The audit chain verifies; each decision's version counts the writes recorded on it."""
    from soupwatch.pipeline import list_decisions, verify_audit

    store = _open(url, migrate=False)
    try:
        result = verify_audit(store)
        versions = {s.vulnerability: s.version for s in list_decisions(store, product=PRODUCT)}
    finally:
        store.close()
    return {"chain_ok": result.ok, "entries": result.count, "problem": result.detail, **versions}


def check_imports(url: str, sbom: Path) -> dict[str, Any]:
    """Products and releases created once each; no release holds two imports' components."""
    from soupwatch.pipeline import list_products, load_target, release_list

    want = len(load_target(sbom).components)
    store = _open(url, migrate=False)
    try:
        products = [p for p, _ in list_products(store) if p.name.startswith("new-product-")]
        sizes = [len(r.components) for p in products for r in release_list(store, p.name)]
    finally:
        store.close()
    return {
        "products": len(products),
        "releases": len(sizes),
        "releases_with_wrong_component_count": sum(1 for n in sizes if n != want),
    }


def main(argv: list[str]) -> int:
    """``worker MODE …`` runs one worker; ``MODE --url URL`` runs and checks a whole race."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.writers")
    parser.add_argument("role", nargs="?", default="driver")
    parser.add_argument("mode", choices=["decisions", "first-runs", "migrate"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=10, help="first-runs: imports each")
    parser.add_argument("--go", default="")
    parser.add_argument("--sbom", default="")
    args = parser.parse_args(argv)
    if args.role == "worker":
        return _worker_main(args)
    tmp = Path(tempfile.gettempdir())
    if args.mode == "decisions":
        setup_decisions(args.url)
    outcome = run(
        args.mode,
        args.url,
        processes=args.processes,
        writes=args.writes,
        tmp=tmp,
        sbom=Path(args.sbom) if args.sbom else None,
        rounds=args.rounds,
    )
    report: dict[str, Any] = {
        "mode": args.mode,
        "processes": args.processes,
        "writes_per_process": args.writes,
        "imported": outcome.imported,
        "ok": outcome.ok,
        "conflicts": outcome.conflicts,
        "errors": outcome.errors[:5],
        "error_count": len(outcome.errors),
        "seconds": round(outcome.seconds, 2),
    }
    if args.mode in ("decisions", "first-runs"):
        report.update(check_decisions(args.url))
    if args.mode == "first-runs":
        report.update(check_imports(args.url, Path(args.sbom)))
    print(json.dumps(report, indent=2))
    return 1 if outcome.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

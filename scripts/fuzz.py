"""The long fuzzing run: N inputs per parser family, with counts, tracebacks, slow runs, memory.

    PYTHONPATH=src python scripts/fuzz.py                      # 100,000 inputs per family
    PYTHONPATH=src python scripts/fuzz.py -n 10000 -j 2        # 10,000 each, two processes
    PYTHONPATH=src python scripts/fuzz.py -f sbom-spdx-yaml -f feed-osv -n 500

Same families, seeds, mutators and property as ``tests/fuzz`` (``tests/fuzz/harness.py``), driven
by a seeded ``random.Random`` instead of Hypothesis (no shrinking, ten times the speed); input
``i`` of a family is the same on every run. Times are processor time (what the input costs on a
busy machine); the slowest wall time is shown beside it. Each
chunk of inputs runs in a fresh process under a 4 GiB address-space limit; its peak resident
memory bounds the memory of every input in it. Crashing inputs are written to ``--out`` (copy
one into ``tests/fuzz/regressions/`` as ``<family>--<what>.<suffix>`` to keep it). Exit 1 when
any input crashed or ran past 10 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.harness import CACHE, FAMILIES, MAX_SECONDS, MUTATORS, run_one  # noqa: E402

CHUNK = 2_000
ADDRESS_SPACE = 4 << 30
SLOW_REPORTED = 2.0
_NUMBERS = re.compile(r"0x[0-9a-f]+|\d{3,}")


@dataclass
class Tally:
    """What one chunk (or a whole family) did."""

    family: str
    inputs: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    over_limit: int = 0
    slow: list[float] = field(default_factory=list)
    slowest: float = 0.0
    slowest_wall: float = 0.0
    peak_rss_mb: float = 0.0
    seconds: float = 0.0
    crashes: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    """Crash signature → (count, traceback, saved input file)."""

    def add(self, other: Tally) -> None:
        """Fold another chunk of the same family in."""
        self.inputs += other.inputs
        self.statuses.update(other.statuses)
        self.over_limit += other.over_limit
        self.slow = sorted(self.slow + other.slow, reverse=True)[:10]
        self.slowest = max(self.slowest, other.slowest)
        self.slowest_wall = max(self.slowest_wall, other.slowest_wall)
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        self.seconds += other.seconds
        for key, (n, trace, saved) in other.crashes.items():
            old = self.crashes.get(key)
            self.crashes[key] = (n + (old[0] if old else 0), trace, old[2] if old else saved)


def _signature(trace: str) -> str:
    frames = re.findall(r'File "([^"]*soupwatch[^"]*)", line (\d+)', trace)
    last = trace.strip().splitlines()[-1] if trace.strip() else "?"
    where = f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else "?"
    message = _NUMBERS.sub("…", last)[:160]
    return f"{where} {message}"


def run_chunk(args: tuple[str, int, int, str]) -> Tally:
    """Run ``count`` inputs of one family from ``start`` (a fresh process per chunk)."""
    name, start, count, out = args
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    family = FAMILIES[name]
    seeds = family.seeds()
    mutate = MUTATORS[family.kind]
    tally = Tally(name)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="soupwatch-fuzz-") as tmp:
        folder = Path(tmp)
        for i in range(start, start + count):
            rnd = random.Random(f"{name}:{i}")  # input i of a family is the same on every run
            data = mutate(rnd.choice(seeds), rnd)
            outcome = run_one(family, data, folder)
            tally.inputs += 1
            tally.statuses[outcome.status] += 1
            tally.slowest = max(tally.slowest, outcome.seconds)
            tally.slowest_wall = max(tally.slowest_wall, outcome.wall)
            if outcome.seconds > SLOW_REPORTED:
                tally.slow.append(round(outcome.seconds, 1))
            if outcome.seconds > MAX_SECONDS:
                tally.over_limit += 1
            if outcome.status == "crash":
                key = _signature(outcome.detail)
                n, trace, saved = tally.crashes.get(key, (0, outcome.detail, ""))
                if not saved:
                    target = Path(out) / f"{name}--{i}{family.suffix}"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    saved = str(target)
                tally.crashes[key] = (n + 1, trace, saved)
    tally.seconds = time.perf_counter() - began
    tally.slow = sorted(tally.slow, reverse=True)[:10]
    tally.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return tally


def main(argv: list[str] | None = None) -> int:
    """Run the families and print the table; exit 1 on any crash or slow input."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--examples", type=int, default=100_000, help="inputs per family")
    parser.add_argument("-f", "--family", action="append", choices=sorted(FAMILIES))
    parser.add_argument("-j", "--jobs", type=int, default=1, help="processes at once")
    parser.add_argument("--out", default=str(CACHE / "crashers"), help="where crashers go")
    opts = parser.parse_args(argv)
    names = opts.family or list(FAMILIES)
    tasks = [
        (name, start, min(CHUNK, opts.examples - start), opts.out)
        for name in names
        for start in range(0, opts.examples, CHUNK)
    ]
    totals = {name: Tally(name) for name in names}
    began = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(opts.jobs, maxtasksperchild=1) as pool:
        for tally in pool.imap_unordered(run_chunk, tasks):
            totals[tally.family].add(tally)
            print(
                f"  {tally.family}: {tally.inputs} more inputs, {len(tally.crashes)} crash kinds",
                file=sys.stderr,
                flush=True,
            )
    _report(totals, time.perf_counter() - began, opts.examples)
    bad = sum(t.statuses["crash"] + t.over_limit for t in totals.values())
    return 1 if bad else 0


def _report(totals: dict[str, Tally], wall: float, per_family: int) -> None:
    print(f"\nsoupwatch fuzz: {per_family:,} inputs per family, {wall / 60:.1f} min wall time\n")
    head = (
        f"{'family':22} {'inputs':>8} {'parsed':>8} {'refused':>8} {'crashes':>8} "
        f"{'>10 s':>6} {'slowest':>8} {'(wall)':>7} {'peak MB':>8} {'ms/input':>9}"
    )
    print(head)
    print("-" * len(head))
    for t in totals.values():
        per = 1000 * t.seconds / max(t.inputs, 1)
        print(
            f"{t.family:22} {t.inputs:8,} {t.statuses['parsed']:8,} {t.statuses['refused']:8,} "
            f"{t.statuses['crash']:8,} {t.over_limit:6} {t.slowest:7.1f}s {t.slowest_wall:6.1f}s "
            f"{t.peak_rss_mb:8.0f} {per:9.1f}"
        )
    all_inputs = sum(t.inputs for t in totals.values())
    crashes = sum(t.statuses["crash"] for t in totals.values())
    slow = sum(t.over_limit for t in totals.values())
    peak = max((t.peak_rss_mb for t in totals.values()), default=0)
    print(f"\n{all_inputs:,} inputs: {crashes} crashes, {slow} over 10 s, peak {peak:.0f} MB")
    for t in totals.values():
        if t.slow:
            print(f"slow runs ({t.family}): {', '.join(f'{s}s' for s in t.slow)}")
        for key, (n, trace, saved) in t.crashes.items():
            print(f"\nCRASH {t.family} ×{n}: {key}\n  input: {saved}\n{trace}")


if __name__ == "__main__":
    raise SystemExit(main())

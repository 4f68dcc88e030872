"""The long fuzzing run: N inputs per parser family, with counts, tracebacks, slow runs, memory.

    PYTHONPATH=src python scripts/fuzz.py                      # 100,000 inputs per family
    PYTHONPATH=src python scripts/fuzz.py -n 10000 -j 2        # 10,000 each, two processes
    PYTHONPATH=src python scripts/fuzz.py -f sbom-spdx-yaml -f feed-osv -n 500

Same families, seeds, mutators and property as ``tests/fuzz`` (``tests/fuzz/harness.py``), driven
by a seeded ``random.Random`` instead of Hypothesis (no shrinking, ten times the speed); input
``i`` of a family is the same on every run. Times are processor time (what the input costs on a
busy machine); the slowest wall time is shown beside it. Each
chunk of inputs runs in a fresh process under a 4 GiB address-space limit.

Memory is measured per input: the mutant is written to disk and the harness drops its own copy,
the process's peak resident memory is reset (``/proc/self/clear_refs``), the parser reads and
parses the file, and the peak is read back (``VmHWM``). So "peak MB" is the whole process
(interpreter, imports, seeds and the parser's work) while that one input ran, and the mutator's
own memory is not counted; the input with the highest peak is named with its size, and every
input over :data:`MEMORY_BOUND_MB` is listed. The chunk's own peak (mutator included) is shown
beside it. Where the peak cannot be reset, the chunk's peak stands for each of its inputs.

Crashing inputs are written to ``--out`` (copy one into ``tests/fuzz/regressions/`` as
``<family>--<what>.<suffix>`` to keep it); ``--replay FAMILY:I`` runs input ``I`` alone and
prints its size, outcome and peak (``--save`` keeps the bytes). Exit 1 when any input crashed,
ran past 10 s or peaked over the memory bound.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.harness import CACHE, FAMILIES, MAX_SECONDS, MUTATORS, run_path  # noqa: E402

CHUNK = 2_000
ADDRESS_SPACE = 4 << 30
SLOW_REPORTED = 2.0
MEMORY_BOUND_MB = 1000.0
"""No input may take more resident memory than this (the issue's 1 GB)."""
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
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
    """The highest per-input peak (or the chunk's peak where it cannot be reset)."""
    peak_input: tuple[int, int, str] = (-1, 0, "")
    """(input number, its size in bytes, its status) of that peak."""
    chunk_rss_mb: float = 0.0
    """The chunk process's own peak, the mutator's memory included (``ru_maxrss`` cannot be
    used: resetting ``VmHWM`` resets it too)."""
    per_input: bool = True
    heavy: list[tuple[int, int, float, str]] = field(default_factory=list)
    """Inputs over MEMORY_BOUND_MB: (number, size, peak MB, status)."""
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
        if other.peak_rss_mb > self.peak_rss_mb or self.peak_input[0] < 0:
            self.peak_rss_mb, self.peak_input = other.peak_rss_mb, other.peak_input
        self.chunk_rss_mb = max(self.chunk_rss_mb, other.chunk_rss_mb)
        self.per_input = self.per_input and other.per_input
        self.heavy = sorted(self.heavy + other.heavy)
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


def _reset_peak() -> bool:
    """Reset this process's peak resident memory to its current one (Linux 4.0+)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    """This process's peak resident memory since the last reset (``VmHWM``), in MiB."""
    found = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    if found is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(found.group(1)) / 1024


def _mutant(name: str, i: int) -> bytes:
    """Input ``i`` of a family: the same on every run."""
    family = FAMILIES[name]
    rnd = random.Random(f"{name}:{i}")
    return MUTATORS[family.kind](rnd.choice(_seeds(name)), rnd)


_SEEDS: dict[str, list[bytes]] = {}


def _seeds(name: str) -> list[bytes]:
    if name not in _SEEDS:
        _SEEDS[name] = FAMILIES[name].seeds()
    return _SEEDS[name]


def run_chunk(args: tuple[str, int, int, str]) -> Tally:
    """Run ``count`` inputs of one family from ``start`` (a fresh process per chunk)."""
    name, start, count, out = args
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    family = FAMILIES[name]
    tally = Tally(name)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="soupwatch-fuzz-") as tmp:
        path = Path(tmp) / f"input{family.suffix}"
        for i in range(start, start + count):
            try:
                data = _mutant(name, i)
            except MemoryError:  # the mutator's fault, not the parser's: counted apart
                tally.statuses["mutator out of memory"] += 1
                continue
            size = len(data)
            path.write_bytes(data)
            del data  # the parser reads the file; the harness's copy is not its memory
            tally.chunk_rss_mb = max(tally.chunk_rss_mb, _peak_mb())  # the mutator's peak
            tally.per_input = _reset_peak() and tally.per_input
            outcome = run_path(family, path)
            peak = _peak_mb()
            tally.chunk_rss_mb = max(tally.chunk_rss_mb, peak)
            tally.inputs += 1
            tally.statuses[outcome.status] += 1
            tally.slowest = max(tally.slowest, outcome.seconds)
            tally.slowest_wall = max(tally.slowest_wall, outcome.wall)
            if peak > tally.peak_rss_mb or tally.peak_input[0] < 0:
                tally.peak_rss_mb, tally.peak_input = peak, (i, size, outcome.status)
            if peak > MEMORY_BOUND_MB:
                tally.heavy.append((i, size, round(peak), outcome.status))
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
                    shutil.copyfile(path, target)
                    saved = str(target)
                tally.crashes[key] = (n + 1, trace, saved)
    tally.seconds = time.perf_counter() - began
    tally.slow = sorted(tally.slow, reverse=True)[:10]
    if not tally.per_input:  # no reset: the chunk's peak bounds every input in it
        tally.peak_rss_mb = max(tally.peak_rss_mb, tally.chunk_rss_mb)
    return tally


def replay(spec: str, save: str | None) -> int:
    """Run one input alone (``family:number``) and print its size, outcome and peak memory."""
    name, _, number = spec.rpartition(":")
    family = FAMILIES[name]
    data = _mutant(name, int(number))
    size = len(data)
    with tempfile.TemporaryDirectory(prefix="soupwatch-fuzz-") as tmp:
        path = Path(tmp) / f"input{family.suffix}"
        path.write_bytes(data)
        if save:
            shutil.copyfile(path, save)
        del data
        reset = _reset_peak()
        outcome = run_path(family, path)
        peak = _peak_mb()
    print(
        f"{spec}: {size:,} bytes, {outcome.status} in {outcome.seconds:.2f} s CPU, "
        f"peak {peak:.0f} MB{'' if reset else ' (whole process: the peak could not be reset)'}"
    )
    if outcome.detail:
        print(outcome.detail)
    return 1 if outcome.status == "crash" or peak > MEMORY_BOUND_MB else 0


def main(argv: list[str] | None = None) -> int:
    """Run the families and print the table; exit 1 on any crash or slow input."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--examples", type=int, default=100_000, help="inputs per family")
    parser.add_argument("-f", "--family", action="append", choices=sorted(FAMILIES))
    parser.add_argument("-j", "--jobs", type=int, default=1, help="processes at once")
    parser.add_argument("--out", default=str(CACHE / "crashers"), help="where crashers go")
    parser.add_argument("--replay", metavar="FAMILY:I", help="run input I of a family alone")
    parser.add_argument("--save", metavar="FILE", help="with --replay: keep the input's bytes")
    opts = parser.parse_args(argv)
    if opts.replay:
        return replay(opts.replay, opts.save)
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
                f"  {tally.family}: {tally.inputs} more inputs in {tally.seconds:.0f} s, "
                f"{len(tally.crashes)} crash kinds, peak {tally.peak_rss_mb:.0f} MB per input",
                file=sys.stderr,
                flush=True,
            )
    _report(totals, time.perf_counter() - began, opts.examples)
    bad = sum(
        t.statuses["crash"] + t.statuses["mutator out of memory"] + t.over_limit + len(t.heavy)
        for t in totals.values()
    )
    return 1 if bad else 0


def _report(totals: dict[str, Tally], wall: float, per_family: int) -> None:
    print(f"\nsoupwatch fuzz: {per_family:,} inputs per family, {wall / 60:.1f} min wall time\n")
    head = (
        f"{'family':22} {'inputs':>8} {'parsed':>8} {'refused':>8} {'crashes':>8} "
        f"{'>10 s':>6} {'slowest':>8} {'(wall)':>7} {'peak MB':>8} {'(input, size)':>20} "
        f"{'chunk MB':>8} {'ms/input':>9}"
    )
    print(head)
    print("-" * len(head))
    for t in totals.values():
        per = 1000 * t.seconds / max(t.inputs, 1)
        i, size, _status = t.peak_input
        where = f"{i}, {_size(size)}" if t.per_input else "whole chunk"
        print(
            f"{t.family:22} {t.inputs:8,} {t.statuses['parsed']:8,} {t.statuses['refused']:8,} "
            f"{t.statuses['crash']:8,} {t.over_limit:6} {t.slowest:7.1f}s {t.slowest_wall:6.1f}s "
            f"{t.peak_rss_mb:8.0f} {where:>20} {t.chunk_rss_mb:8.0f} {per:9.1f}"
        )
    all_inputs = sum(t.inputs for t in totals.values())
    crashes = sum(t.statuses["crash"] for t in totals.values())
    slow = sum(t.over_limit for t in totals.values())
    heavy = sum(len(t.heavy) for t in totals.values())
    peak = max((t.peak_rss_mb for t in totals.values()), default=0)
    print(
        f"\n{all_inputs:,} inputs: {crashes} crashes, {slow} over 10 s, "
        f"{heavy} over {MEMORY_BOUND_MB:.0f} MB, peak {peak:.0f} MB per input"
    )
    for t in totals.values():
        if t.statuses["mutator out of memory"]:
            print(
                f"not run ({t.family}): {t.statuses['mutator out of memory']} mutants (mutator OOM)"
            )
        if t.slow:
            print(f"slow runs ({t.family}): {', '.join(f'{s}s' for s in t.slow)}")
        for i, size, mb, status in t.heavy:
            print(
                f"over {MEMORY_BOUND_MB:.0f} MB ({t.family}): input {i}, {_size(size)}, "
                f"{mb:.0f} MB, {status}"
            )
        for key, (n, trace, saved) in t.crashes.items():
            print(f"\nCRASH {t.family} ×{n}: {key}\n  input: {saved}\n{trace}")


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} KB"


if __name__ == "__main__":
    raise SystemExit(main())

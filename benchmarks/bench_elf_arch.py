"""Binary discovery on real firmware-style libraries of every architecture, with cve-bin-tool.

Files: every ELF file of the quality sets' real Debian packages (``tests/quality/elf_sets.py``:
bookworm and trixie, ten architectures; ``DEV_ONLY`` on the development pairs) already
extracted in the test cache (run ``tests/quality`` once to fill it). Both tools read the same
files in the same run, one process each, one core each; the truth of a package is its own
upstream version. Prints, per architecture and in total, MB/s per CPU second and
precision/recall of (product, version).

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_elf_arch.py [--no-cbt]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from tests.debs import CACHE, upstream
from tests.quality.elf_sets import CASES, DEV, DEV_ONLY, EVAL

from soupwatch.discover import discover_path
from soupwatch.discover.signatures.scanner import SignatureScanner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_signatures import peak_rss_mib, run_cbt

Key = tuple[str, str, str]  # (release/arch, package, truth product)
Claim = tuple[str, str]  # (CPE product, version)


EXTRA = {c.package: {p.split(":")[1] for p in c.extra} for c in CASES + DEV_ONLY}
"""Products a package really holds besides its own (not counted as wrong)."""


def collect() -> tuple[dict[Path, Key], dict[Key, str], dict[Key, Path]]:
    """ELF file -> its package; package -> true upstream version; package -> its tree."""
    files: dict[Path, Key] = {}
    truth: dict[Key, str] = {}
    roots: dict[Key, Path] = {}
    sets = [(pair, CASES + DEV_ONLY) for pair in DEV] + [(pair, CASES) for pair in EVAL]
    for (release, arch), cases in sets:
        for case in (c for c in cases if release in c.releases):
            target = CACHE / release / arch / case.package
            done = target / ".done"
            if not done.is_file():
                continue
            fields = dict(line.split(": ", 1) for line in done.read_text().splitlines() if line)
            key = (f"{release}/{arch}", case.package, case.product.split(":")[1])
            truth[key] = upstream(fields["Version"])
            roots[key] = target / "root"
            for path in (target / "root").rglob("*"):
                if path.is_file() and not path.is_symlink() and _is_elf(path):
                    files[path] = key
    return files, truth, roots


def _is_elf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"\x7fELF"


def score(
    found: dict[str, list[tuple[str, str]]], files: dict[Path, Key], truth: dict[Key, str]
) -> dict[str, tuple[int, int, int]]:
    """Per architecture: (right claims, versioned claims, packages)."""
    claims: dict[Key, set[tuple[str, str]]] = defaultdict(set)
    for path, key in files.items():
        claims[key] |= set(found.get(str(path), []))
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, version in truth.items():
        row = out[key[0]]
        row[2] += 1
        got = {c for c in claims[key] if c[0] not in EXTRA[key[1]]}
        row[0] += (key[2], version) in got
        row[1] += len(got)
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def run_ours(files: list[Path]) -> tuple[float, float, dict[str, list[tuple[str, str]]]]:
    """(wall s, CPU s, file -> [(product, version)])."""
    scanner = SignatureScanner()
    found: dict[str, list[tuple[str, str]]] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        dets = scanner.scan(f.read_bytes(), f.name)
        found[str(f)] = [(d.signature.cpe.split(":")[1], d.version) for d in dets if d.version]
    return time.perf_counter() - t0, time.process_time() - c0, found


def run_discovery(roots: dict[Key, Path]) -> tuple[float, float, float, dict[str, list[Claim]]]:
    """``discover_path`` on each package's whole tree, as ``sbom generate`` reads firmware:
    (MB read, wall s, CPU s, tree -> [(product, version)]), every file of the tree counted."""
    found: dict[str, list[Claim]] = {}
    size = sum(p.stat().st_size for r in roots.values() for p in r.rglob("*") if _regular(p))
    t0, c0 = time.perf_counter(), time.process_time()
    for root in roots.values():
        comps = discover_path(root).components
        found[str(root)] = [(c.cpe.split(":")[4], c.version) for c in comps if c.cpe and c.version]
    return size / 1e6, time.perf_counter() - t0, time.process_time() - c0, found


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def report(name: str, rows: dict[str, tuple[int, int, int]]) -> tuple[float, float]:
    """Print per-architecture and total precision/recall; return the totals."""
    right = sum(r[0] for r in rows.values())
    claims = sum(r[1] for r in rows.values())
    total = sum(r[2] for r in rows.values())
    print(f"{name}: precision / recall of (product, version) per architecture")
    for arch, (ok, n, t) in sorted(rows.items()):
        print(f"  {arch:18} precision {ok / max(1, n):.3f} ({ok}/{n})  recall {ok / t:.3f}")
    precision, recall = right / max(1, claims), right / max(1, total)
    print(f"  {'all':18} precision {precision:.3f} ({right}/{claims})  recall {recall:.3f}")
    return precision, recall


def main() -> int:
    """Run both tools on the same files and print the tables."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cbt", action="store_true")
    args = ap.parse_args()
    files, truth, roots = collect()
    if not files:
        print("no packages in the cache: run tests/quality/test_discovery_quality.py first")
        return 2
    listing = sorted(files)
    size_mb = sum(f.stat().st_size for f in listing) / 1e6
    print(f"{len(listing)} ELF files of {len(truth)} packages, {size_mb:.1f} MB")
    for f in listing:  # warm the page cache so both tools read from memory
        f.read_bytes()
    wall, cpu, ours = run_ours(listing)
    print(
        f"soupwatch    : {wall:6.2f} s wall, {cpu:6.2f} s CPU, {size_mb / cpu:6.1f} MB/s per CPU "
        f"second, peak RSS {peak_rss_mib():.0f} MiB"
    )
    report("soupwatch", score(ours, files, truth))
    ok = size_mb / cpu >= 50
    tree_mb, d_wall, d_cpu, trees = run_discovery(roots)
    print(
        f"soupwatch discovery on each package tree ({tree_mb:.1f} MB, every file): "
        f"{d_wall:6.2f} s wall, {d_cpu:6.2f} s CPU, {tree_mb / d_cpu:6.1f} MB/s per CPU second"
    )
    by_tree = {Path(r): k for k, r in roots.items()}
    report("soupwatch discovery", score(trees, by_tree, truth))
    if args.no_cbt:
        return 0 if ok else 1
    cbt = run_cbt(listing)
    if cbt is None:
        print("cve-bin-tool : not installed (see benchmarks/bench_signatures.py)")
        return 0 if ok else 1
    found = {k: [(p, v) for _, p, v in hits] for k, hits in cbt["found"].items()}  # type: ignore[attr-defined]
    c_cpu = float(cbt["cpu"])  # type: ignore[arg-type]
    print(
        f"cve-bin-tool : {float(cbt['wall']):6.2f} s wall, {c_cpu:6.2f} s CPU, "  # type: ignore[arg-type]
        f"{size_mb / c_cpu:6.1f} MB/s per CPU second"
    )
    report("cve-bin-tool", score(found, files, truth))
    print(f"speed ratio (CPU time, cve-bin-tool / soupwatch): {c_cpu / cpu:.1f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

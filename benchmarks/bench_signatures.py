"""Binary-signature scanning: throughput on real binaries, side by side with cve-bin-tool.

Files (read in place, never copied): the 37 corpus binaries of ../shared/corpus/binaries,
then this machine's /usr/lib/x86_64-linux-gnu/*.so* and /usr/bin files, up to --max-mb.
Both tools scan the same list in the same run, one process each, one core each:

* ours: ``SignatureScanner.scan`` (one Aho-Corasick pass per file, regexes only at hits);
* cve-bin-tool 3.4 (its own venv: /tmp/cbt-venv or ../cbt-venv): ``VersionScanner.scan_file``
  on each file, started through a wrapper that disables its import-time download (PEERS.md).

Prints MB/s, CPU seconds, peak RSS, the speed ratio, and recall and precision of
(product, version) on the corpus manifest for both. Floors: >= 50 MB/s, >= 10x cve-bin-tool,
recall not below cve-bin-tool's.

    .venv/bin/python benchmarks/bench_signatures.py [--max-mb 300] [--no-cbt]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from soupwatch.discover.detectors.content import HEAD_BYTES, is_text
from soupwatch.discover.signatures.scanner import SignatureScanner

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SOUPWATCH_SHARED", ROOT.parent / "shared")) / "corpus/binaries"
CBT_PYTHONS = (Path("/tmp/cbt-venv/bin/python"), ROOT.parent / "cbt-venv/bin/python")

CBT_WRAPPER = r"""
import json, os, sys, time
from pathlib import Path
os.makedirs(Path.home() / ".cache" / "cve-bin-tool", exist_ok=True)
import cve_bin_tool.util as util
util.make_http_requests = lambda *a, **k: ""
from cve_bin_tool.version_scanner import VersionScanner
files = json.load(open(sys.argv[1]))
scanner = VersionScanner(validate=False)
found = {}
t0, c0 = time.perf_counter(), time.process_time()
for f in files:
    hits = []
    for info in scanner.scan_file(f) or ():
        p = info.product_info
        hits.append([p.vendor, p.product, p.version])
    found[f] = hits
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rss = int(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")))
json.dump({"wall": wall, "cpu": cpu, "rss_kb": rss, "found": found}, open(sys.argv[2], "w"))
"""


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pick_files(max_bytes: int) -> list[Path]:
    """Corpus binaries first, then system libraries and programs, regular files only."""
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    files = [CORPUS / item["file"] for item in manifest]
    system = sorted(Path("/usr/lib/x86_64-linux-gnu").glob("*.so*")) + sorted(
        Path("/usr/bin").iterdir()
    )
    total = sum(f.stat().st_size for f in files)
    for f in system:
        if total >= max_bytes:
            break
        if f.is_file() and not f.is_symlink() and f.stat().st_size > 0:
            files.append(f)
            total += f.stat().st_size
    return files


def run_ours(files: list[Path]) -> tuple[float, float, dict[str, list[tuple[str, str]]]]:
    """(wall seconds, CPU seconds, file -> [(cpe product, version)])."""
    scanner = SignatureScanner()
    found: dict[str, list[tuple[str, str]]] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        dets = scanner.scan(f.read_bytes(), f.name)
        found[str(f)] = [(d.signature.cpe.split(":")[1], d.version) for d in dets if d.version]
    return time.perf_counter() - t0, time.process_time() - c0, found


def run_gate(files: list[Path]) -> tuple[float, int]:
    """CPU seconds the text gate (``content.is_text`` on each file's head) costs; texts seen.

    Measured on the benchmark files plus every file under /usr/share/doc (changelogs,
    copyrights), which the binary detector reads only to decide they are not scanned.
    """
    docs = sorted(
        p for p in Path("/usr/share/doc").rglob("*") if p.is_file() and not p.is_symlink()
    )
    c0, texts = time.process_time(), 0
    for f in [*files, *docs]:
        with f.open("rb") as fh:
            texts += is_text(fh.read(HEAD_BYTES))
    return time.process_time() - c0, texts


def score(found: dict[str, list[tuple[str, str]]]) -> tuple[float, float, list[str], list[str]]:
    """Recall and precision of (product, version) on the manifest; misses and extras."""
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    truth, got = set(), set()
    for item in manifest:
        key = str(CORPUS / item["file"])
        for c in item["components"]:
            truth.add((item["id"], c["cpe"].split(":")[4], c["version"]))
        for product, version in found.get(key, []):
            got.add((item["id"], product, version))
    hits = truth & got
    return (
        len(hits) / len(truth),
        len(hits) / max(1, len(got)),
        sorted(map(str, truth - got)),
        sorted(map(str, got - truth)),
    )


def run_cbt(files: list[Path]) -> dict[str, object] | None:
    """cve-bin-tool on the same files in a subprocess; None when it is not installed."""
    python = next((p for p in CBT_PYTHONS if p.exists()), None)
    if python is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        listing, out, wrapper = Path(tmp, "files.json"), Path(tmp, "out.json"), Path(tmp, "w.py")
        listing.write_text(json.dumps([str(f) for f in files]))
        wrapper.write_text(CBT_WRAPPER)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "HOME": tmp}
        subprocess.run(
            [str(python), str(wrapper), str(listing), str(out)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        result: dict[str, object] = json.loads(out.read_text())
    return result


def main() -> int:
    """Run both, print the table and the verdict against the floors."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-mb", type=int, default=300)
    ap.add_argument("--no-cbt", action="store_true")
    args = ap.parse_args()
    files = pick_files(args.max_mb * 1024 * 1024)
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"{len(files)} files, {size_mb:.1f} MB (corpus + system binaries, read in place)")
    for f in files:  # warm the page cache so both tools read from memory
        with f.open("rb") as fh:
            while fh.read(1 << 20):
                pass
    wall, cpu, ours = run_ours(files)
    rss = peak_rss_mib()
    recall, precision, missed, extra = score(ours)
    print(
        f"soupwatch    : {wall:7.2f} s wall, {cpu:7.2f} s CPU, {size_mb / cpu:7.1f} MB/s per CPU "
        f"second ({size_mb / wall:.1f} MB/s wall), peak RSS {rss:.0f} MiB, "
        f"recall {recall:.3f}, precision {precision:.3f}"
    )
    print(f"  missed: {missed}\n  not in manifest: {extra}")
    gate_cpu, texts = run_gate(files)
    print(
        f"text gate    : {gate_cpu:7.3f} s CPU for the heads of these files and of "
        f"/usr/share/doc ({texts} text files recognised, never scanned)"
    )
    ok = size_mb / cpu >= 50
    if args.no_cbt:
        return 0 if ok else 1
    cbt = run_cbt(files)
    if cbt is None:
        print(
            "cve-bin-tool : not installed (python -m venv /tmp/cbt-venv && "
            "/tmp/cbt-venv/bin/pip install cve-bin-tool)"
        )
        return 0 if ok else 1
    found = {k: [(p, v) for _, p, v in hits] for k, hits in cbt["found"].items()}  # type: ignore[attr-defined]
    c_recall, c_precision, c_missed, c_extra = score(found)
    c_cpu, c_wall = float(cbt["cpu"]), float(cbt["wall"])  # type: ignore[arg-type]
    print(
        f"cve-bin-tool : {c_wall:7.2f} s wall, {c_cpu:7.2f} s CPU, {size_mb / c_cpu:7.1f} MB/s "
        f"per CPU second, peak RSS {int(cbt['rss_kb']) / 1024:.0f} MiB, "  # type: ignore[call-overload]
        f"recall {c_recall:.3f}, precision {c_precision:.3f}"
    )
    print(f"  missed: {c_missed}\n  not in manifest: {c_extra}")
    ratio = c_cpu / cpu
    print(
        f"speed ratio (CPU time, cve-bin-tool / soupwatch): {ratio:.1f}x; wall time: "
        f"{c_wall / wall:.1f}x (cve-bin-tool's CPU excludes the `file` processes it spawns)"
    )
    ok = ok and ratio >= 10 and recall >= c_recall
    print("floors (>= 50 MB/s, >= 10x, recall >= cve-bin-tool):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

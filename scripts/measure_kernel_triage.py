"""Measure kernel-config triage: per kernel config × Kbuild map, how many kernel findings of the
example infusion pump each decides (built / not built / unknown), and why the rest are unknown.

Usage::

    python scripts/measure_kernel_triage.py [--source TARBALL_OR_DIR ...] [--config FILE ...]

The bundled maps are always measured; each ``--source`` (e.g. Debian's
``/usr/src/linux-source-6.12.tar.xz``) adds a map built from that tree, timed. ``--config``
adds kernel configs (plain or ``.xz``, e.g. Debian's ``/usr/src/linux-config-5.10/*.xz``) to
``examples/infusion-pump.kconfig``. The pump's findings come from a SQLite store cached under
``~/.cache/soupwatch-tests/kernel-measure`` (built once from the feed mirror: ``--mirror``,
else ``SOUPWATCH_MIRROR``, else ``../shared/feeds``). docs/triage.md gives the commands that
fetch the Debian packages and the table this prints.
"""

from __future__ import annotations

import argparse
import lzma
import os
import sys
import time
from collections import Counter
from pathlib import Path

from soupwatch.config import load_settings
from soupwatch.errors import SoupwatchError
from soupwatch.pipeline import load_target, scan_release, store_document, sync_feeds
from soupwatch.store.db import Store
from soupwatch.store.intel_query import StoreIntelQuery
from soupwatch.triage.evaluate import BuildVerdict
from soupwatch.triage.kbuild import KbuildMap, bundled_series, load_bundled, map_from_source
from soupwatch.triage.kconfig import KernelConfig, parse_config
from soupwatch.triage.kernel import (
    KernelTriage,
    header_kernel_version,
    open_kernel_findings,
    program_files_by_id,
    triage_findings,
)

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache" / "soupwatch-tests" / "kernel-measure"
PUMP = ("infusion-pump", "3.2.0", ROOT / "examples" / "infusion-pump.cdx.json")
REASONS = (
    ("not in the Kbuild map", "not in map"),
    ("is a header", "header"),
    ("not decidable from this config", "symbol absent"),
    ("inside a conditional block", "ifeq/ifdef"),
    ("unexpanded", "unexpanded"),
    ("not a source file", "not source"),
    ("no kernel CNA record", "no CNA record"),
    ("lists no programFiles", "no programFiles"),
)


def _store(mirror: Path) -> Store:
    db = CACHE / "pump.db"
    CACHE.mkdir(parents=True, exist_ok=True)
    fresh = not db.exists()
    env = dict(os.environ, SOUPWATCH_HOME=str(CACHE), SOUPWATCH_DATABASE_URL=f"sqlite:///{db}")
    store = Store.open(load_settings(env))
    if fresh:
        product, release, sbom = PUMP
        store_document(store, load_target(sbom), product, release, source=str(sbom))
        sync_feeds(store, mirror=mirror)
        scan_release(store, product, release)
    return store


def _config(path: Path) -> KernelConfig:
    raw = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
    text = raw.decode("utf-8")
    version = header_kernel_version(text) or "5.10.52, per its comment"
    return parse_config(text, f"{path.name.removesuffix('.xz')} (linux {version})")


def _why(t: KernelTriage) -> str:
    if t.not_in_map:
        return "not in map"
    text = t.evidence
    return next((label for needle, label in REASONS if needle in text), "other")


def main(argv: list[str] | None = None) -> int:
    """Print one markdown row per config × map, and the map build times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, action="append", default=[])
    parser.add_argument("--config", type=Path, action="append", default=[])
    default_mirror = os.environ.get("SOUPWATCH_MIRROR") or str(ROOT.parent / "shared" / "feeds")
    parser.add_argument("--mirror", type=Path, default=Path(default_mirror))
    args = parser.parse_args(argv)
    try:
        maps: list[KbuildMap] = [load_bundled(s) for s in bundled_series()]
        for src in args.source:
            started = time.perf_counter()
            kmap = map_from_source(src, label=src.name)
            took = time.perf_counter() - started
            print(
                f"map linux {kmap.kernel} from {src.name}: {len(kmap.objs)} objects, {took:.1f} s"
            )
            maps.append(kmap)
        configs = [_config(ROOT / "examples" / "infusion-pump.kconfig")]
        configs += [_config(p) for p in args.config]
        store = _store(args.mirror)
        with store.session() as session:
            findings = open_kernel_findings(session, PUMP[0], PUMP[1])
            files = program_files_by_id(StoreIntelQuery(session))
        store.close()
    except (SoupwatchError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"\n{len(findings)} open kernel findings of {PUMP[0]} {PUMP[1]} (linux 5.10.52)\n")
    print("| config | map | built | not built | unknown | of which not in map | other unknown |")
    print("|---|---|---:|---:|---:|---:|---|")
    for config in configs:
        for kmap in maps:
            results = triage_findings(findings, files, kmap, config)
            c = Counter(t.verdict for t in results)
            why = Counter(_why(t) for t in results if t.verdict is BuildVerdict.UNKNOWN)
            absent = sum(1 for t in results if t.not_in_map)
            why.pop("not in map", 0)
            rest = ", ".join(f"{k} {n}" for k, n in why.most_common())
            name = config.path + (", complete" if config.complete else ", partial")
            where = "bundled" if kmap.origin.value == "bundled" else "source"
            print(
                f"| {name} | {kmap.kernel} ({where}) | {c[BuildVerdict.BUILT]} | "
                f"{c[BuildVerdict.NOT_BUILT]} | {c[BuildVerdict.UNKNOWN]} | {absent} | {rest} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scan speed: 1,000 and 10,000 components against the mirror-loaded store, cold and warm.

The SBOM is a *portfolio*, as a device maker's or a hospital's is: releases of ~250
components each, every release with its own Linux kernel (five kernel versions across the
portfolio, each judged against ~14,600 kernel CNA records), OpenSSL/BusyBox/curl/SQLite/…
in a few versions each, PyPI, Maven and AlmaLinux packages by purl, each listed several
times per release (vendored into sub-assemblies, in different versions), and one component in
four in-house, which no database knows (skipped).
Distinct (product, version) pairs are a few hundred; most components repeat one of them.
10,000 *distinct* kernels is not a real SBOM.

"cold" is the first scan in the process with every parse cache cleared; "warm" repeats it.
Peak memory is the process's maximum RSS (``resource.getrusage``). The baseline is the old
per-component path, measured in this process on the first 300 components and scaled: each
component probes the index itself and judges every NVD candidate un-cached (no grouping,
no verdict cache). Floor: 10,000 components in under 2 s warm.

    .venv/bin/python benchmarks/bench_scan.py [--feeds ../shared/feeds] [--db /tmp/bench.db]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from soupwatch.cli.common import scan_gc
from soupwatch.config import Settings
from soupwatch.intel.sync import feed_names, sync_all
from soupwatch.match import cna, cpe, identity, versions
from soupwatch.match.matcher import MatchContext, MatchResult, match_components
from soupwatch.match.nvd import judge_configurations
from soupwatch.model import Component, ComponentRef, ComponentType
from soupwatch.store import intel_query as query_module
from soupwatch.store.db import Store
from soupwatch.store.intel_query import StoreIntelQuery

RELEASE_SIZE = 250
KERNELS = ("4.19.120", "5.4.100", "5.10.52", "5.10.200", "6.1.55")
# (name, versions, purl template or None, CPE template or None); {v} is the version
PRODUCTS: list[tuple[str, tuple[str, ...], str | None, str | None]] = [
    ("openssl", ("1.0.1f", "1.0.2k", "1.1.1k", "3.0.7"), None, None),
    ("busybox", ("1.33.1", "1.36.1"), None, "cpe:2.3:a:busybox:busybox:{v}:*:*:*:*:*:*:*"),
    ("curl", ("7.40.0", "7.79.1", "8.4.0"), None, None),
    ("sqlite", ("3.31.1", "3.40.0"), None, None),
    ("zlib", ("1.2.11", "1.2.13"), None, None),
    ("libxml2", ("2.9.4", "2.9.14"), None, None),
    ("postgresql", ("9.6.1", "13.4"), None, None),
    ("glibc", ("2.31", "2.33"), None, "cpe:2.3:a:gnu:glibc:{v}:*:*:*:*:*:*:*"),
    ("django", ("3.2.1", "4.2.0"), "pkg:pypi/django@{v}", None),
    ("requests", ("2.19.0", "2.31.0"), "pkg:pypi/requests@{v}", None),
    ("aiohttp-session", ("2.6.0",), "pkg:pypi/aiohttp-session@{v}", None),
    ("tensorflow", ("2.4.0", "2.11.0"), "pkg:pypi/tensorflow@{v}", None),
    ("jinja2", ("2.10", "3.1.2"), "pkg:pypi/jinja2@{v}", None),
    ("log4j-core", ("2.14.1", "2.17.1"), "pkg:maven/org.apache.logging.log4j/log4j-core@{v}", None),
    (
        "openssl-libs",
        ("1:3.0.1-40.el9", "1:3.0.7-25.el9"),
        "pkg:rpm/almalinux/openssl-libs@{v}?distro=almalinux-9",
        None,
    ),
]


def sbom(n: int) -> list[Component]:
    """A portfolio of ``n`` components: releases of RELEASE_SIZE, see the module docstring."""
    out: list[Component] = []
    release = 0
    while len(out) < n:
        r = release
        out.append(
            Component(
                ref=ComponentRef(f"r{r}/os"),
                name="linux",
                version=KERNELS[r % len(KERNELS)],
                type=ComponentType.OPERATING_SYSTEM,
            )
        )
        slot = 0
        while slot < RELEASE_SIZE - 1 and len(out) < n:
            name, vers, purl, cpe_t = PRODUCTS[slot % len(PRODUCTS)]
            if slot % 4 == 3:  # in-house: no purl, no CPE, unknown name
                name, vers, purl, cpe_t = f"acme-module-{r}-{slot}", ("1.0",), None, None
            v = vers[(r + slot // len(PRODUCTS)) % len(vers)]
            out.append(
                Component(
                    ref=ComponentRef(f"r{r}/c{slot}"),
                    name=name,
                    version=v,
                    purl=purl.format(v=v) if purl else None,
                    cpe=cpe_t.format(v=v) if cpe_t else None,
                )
            )
            slot += 1
        release += 1
    return out[:n]


def clear_caches() -> None:
    """Forget every cache that outlives a scan, so that the next scan is cold."""
    query_module._DECODED.clear()
    versions.parse_version.cache_clear()
    versions.branch_upper.cache_clear()
    cpe.parse_criteria.cache_clear()
    identity._identify.cache_clear()
    cna._sentences.cache_clear()


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its wall time and its CPU time in seconds (the machine may be shared)."""
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - t, time.process_time() - c


def baseline(components: list[Component], query: StoreIntelQuery) -> int:
    """The old path: per component, its own probe and an uncached judgement of every candidate."""
    hits = 0
    for c in components:
        for ident in identity.identify(c).cpes:
            target = ident.target()
            if isinstance(target, versions.Unparsable):
                continue
            key = (cpe.escape_value(ident.name.vendor), cpe.escape_value(ident.name.product))
            for cand in query.cpe_candidates([key]).get(key, []):
                hits += judge_configurations(cand.configurations, target, cpe.Platform()).affected
    return hits


def scan(store: Store, comps: list[Component], ctx: MatchContext) -> MatchResult:
    """One scan in its own session, with the CLI's gc thresholds, as ``soupwatch scan`` does it.

    The library leaves the collector alone; untuned (as in the server) a scan takes about
    twice the CPU time (docs/matching.md, "GC at the edge").
    """
    with scan_gc(), store.session() as s:
        return match_components(comps, StoreIntelQuery(s), context=ctx)


def main() -> None:
    """Load the store (once), then measure."""
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--feeds", default=str(Path(__file__).resolve().parents[2] / "shared" / "feeds")
    )
    ap.add_argument("--db", default="/tmp/soupwatch-bench-scan.db")
    args = ap.parse_args()
    settings = Settings(home=Path(args.db).parent, database_url=f"sqlite:///{args.db}")
    fresh = not Path(args.db).exists()
    store = Store.open(settings)
    if fresh:
        t = time.perf_counter()
        sync_all(store, mirror=args.feeds, sources=[n for n in feed_names() if n != "eol"])
        print(f"loaded mirror into {args.db} in {time.perf_counter() - t:.1f} s")
    for n in (1_000, 10_000):
        comps = sbom(n)
        pairs = len({(c.name, c.version) for c in comps})
        ctx = MatchContext.for_components(comps)
        clear_caches()
        cold, t_cold, c_cold = timed(partial(scan, store, comps, ctx))
        warm, t_warm, c_warm = timed(partial(scan, store, comps, ctx))
        sample = comps[:300]
        with store.session() as s:
            _, t_base, _ = timed(partial(baseline, sample, StoreIntelQuery(s)))
        t_base_n = t_base * n / len(sample)
        print(
            f"{n:>6} components ({pairs} distinct name/version): "
            f"cold {t_cold:.2f} s (CPU {c_cold:.2f} s), warm {t_warm:.2f} s (CPU {c_warm:.2f} s), "
            f"peak RSS {peak_rss_mb():.0f} MB; "
            f"{len(warm.findings)} findings, {len(warm.overruled)} overruled, "
            f"{len(warm.skipped)} skipped; old per-component NVD path ~{t_base_n:.1f} s "
            f"(x{t_base_n / max(t_warm, 1e-9):.0f} the warm time)"
        )
        assert len(cold.findings) == len(warm.findings)
        assert cold.findings == warm.findings
    store.close()


if __name__ == "__main__":
    main()

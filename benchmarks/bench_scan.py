"""Scan speed: 1,000 and 10,000 components against the mirror-loaded store, cold and warm.

Prints time and peak memory, and the ratio to a baseline measured in the same process (one
un-cached ``judge_configurations`` call per component × candidate, i.e. no key batching or
verdict cache). Floor: 10,000 components in under 2 s warm.

    .venv/bin/python benchmarks/bench_scan.py [--feeds ../shared/feeds] [--db /tmp/bench.db]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

from soupwatch.config import Settings
from soupwatch.intel.query import StoreIntelQuery
from soupwatch.intel.sync import feed_names, sync_all
from soupwatch.match.cpe import Platform
from soupwatch.match.identity import identify
from soupwatch.match.matcher import MatchContext, match_components
from soupwatch.match.nvd import judge_configurations
from soupwatch.model import Component, ComponentRef, ComponentType
from soupwatch.store.db import Store

MIX = [
    ("openssl", "1.0.1f", None, None),
    ("openssl", "3.0.7", None, None),
    ("busybox", "1.36.1", None, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"),
    ("curl", "7.40.0", None, None),
    ("sqlite", "3.31.1", None, None),
    ("zlib", "1.2.11", None, None),
    ("aiohttp-session", "2.6.0", "pkg:pypi/aiohttp-session@2.6.0", None),
    ("django", "3.2.1", "pkg:pypi/django@3.2.1", None),
    ("requests", "2.19.0", "pkg:pypi/requests@2.19.0", None),
    (
        "openssl-libs",
        "1:3.0.1-40.el9",
        "pkg:rpm/almalinux/openssl-libs@1:3.0.1-40.el9?distro=almalinux-9",
        None,
    ),
    ("log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", None),
    ("in-house-lib", "4.2", None, None),
    ("libxml2", "2.9.4", None, None),
    ("postgresql", "9.6.1", None, None),
]


def sbom(n: int) -> list[Component]:
    """n components, a realistic mix of names, purls, CPEs; versions vary by position."""
    out = [
        Component(
            ref=ComponentRef("os"),
            name="linux",
            version="5.10.200",
            type=ComponentType.OPERATING_SYSTEM,
        )
    ]
    for i in range(n - 1):
        name, version, purl, cpe = MIX[i % len(MIX)]
        if i % 7 == 0 and purl is None and cpe is None:
            version = f"{version}.{i % 5}"
        out.append(
            Component(ref=ComponentRef(f"c{i}"), name=name, version=version, purl=purl, cpe=cpe)
        )
    return out


def timed(fn, *args):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    t = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def baseline(components: list[Component], query: StoreIntelQuery) -> int:
    """Naive: per component, its own probe and an uncached judgement of every candidate."""
    hits = 0
    for c in components:
        for ident in identify(c).cpes:
            target = ident.target()
            if not hasattr(target, "name"):
                continue
            from soupwatch.match.cpe import escape_value

            key = (escape_value(ident.name.vendor), escape_value(ident.name.product))
            for cand in query.cpe_candidates([key]).get(key, []):
                hits += judge_configurations(cand.configurations, target, Platform()).affected  # type: ignore[arg-type]
    return hits


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
        ctx = MatchContext.for_components(comps)
        with store.session() as s:
            cold, t_cold, m_cold = timed(
                match_components,
                comps,
                StoreIntelQuery(s),
            )
        with store.session() as s:
            warm, t_warm, m_warm = timed(
                lambda c=comps, x=ctx, q=StoreIntelQuery(s): match_components(c, q, context=x)
            )
        with store.session() as s:
            _, t_base, _ = timed(baseline, comps[: min(n, 1000)], StoreIntelQuery(s))
        t_base_n = t_base * n / min(n, 1000)
        print(
            f"{n:>6} components: cold {t_cold:.2f} s ({m_cold / 1e6:.0f} MB peak), "
            f"warm {t_warm:.2f} s "
            f"({m_warm / 1e6:.0f} MB), {len(warm.findings)} findings, {len(warm.skipped)} skipped; "
            f"baseline ~{t_base_n:.2f} s (x{t_base_n / max(t_warm, 1e-9):.1f} slower than warm)"
        )
        assert len(cold.findings) == len(warm.findings)
    store.close()


if __name__ == "__main__":
    main()

"""Benchmark: read and import a 10,000-component CycloneDX 1.6 JSON SBOM into SQLite.

Prints wall time of read and of store import, peak RSS, and the ratio of read time to a
plain ``json.load`` of the same file measured in the same process.

    .venv/bin/python benchmarks/bench_sbom_import.py [--components N]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from soupwatch.config import Settings
from soupwatch.pipeline import import_sbom
from soupwatch.sbom import read
from soupwatch.store.db import Store

ECOSYSTEMS = [("npm", None), ("maven", "org.example"), ("pypi", None), ("deb", "debian")]
LICENSES = ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-2.0-only", "LGPL-2.1-or-later"]


def _component(i: int, rng: random.Random) -> dict[str, object]:
    eco, ns = ECOSYSTEMS[i % len(ECOSYSTEMS)]
    name = f"pkg{i:05d}"
    version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
    purl = f"pkg:{eco}/{ns + '/' if ns else ''}{name}@{version}"
    return {
        "type": "library",
        "bom-ref": purl,
        "supplier": {"name": f"Vendor {i % 97}"},
        "author": f"Maintainer {i % 311}",
        "group": ns,
        "name": name,
        "version": version,
        "description": f"Synthetic component {i} for the import benchmark",
        "hashes": [{"alg": "SHA-256", "content": f"{rng.getrandbits(256):064x}"}],
        "licenses": [{"license": {"id": LICENSES[i % len(LICENSES)]}}],
        "purl": purl,
        "cpe": f"cpe:2.3:a:vendor{i % 97}:{name}:{version}:*:*:*:*:*:*:*",
        "properties": [
            {"name": "soupwatch:support:level", "value": "actively-maintained"},
            {"name": "build:origin", "value": "yocto"},
        ],
    }


def make_sbom(n: int, path: Path) -> None:
    """Write a CycloneDX 1.6 SBOM: n components, every tenth with 3 nested, random deps."""
    rng = random.Random(1)
    comps = [_component(i, rng) for i in range(n)]
    top: list[dict[str, object]] = []
    i = 0
    while i < n:
        parent = comps[i]
        children = comps[i + 1 : i + 4] if i % 10 == 0 else []
        if children:
            parent["components"] = children
        top.append(parent)
        i += 1 + len(children)
    refs = [str(c["bom-ref"]) for c in comps]
    deps = [{"ref": r, "dependsOn": sorted(set(rng.sample(refs, 3)) - {r})} for r in refs]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2022-03-01T12:00:00Z",
            "component": {
                "type": "firmware",
                "bom-ref": "device",
                "name": "device",
                "version": "1.0",
            },
        },
        "components": top,
        "dependencies": deps,
    }
    path.write_text(json.dumps(bom, indent=2))


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--components", type=int, default=10_000)
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.make:
        make_sbom(args.components, args.make)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        sbom = Path(tmp) / "big.cdx.json"
        # generated in a child process so that this process's peak RSS is the import's
        subprocess.run(
            [sys.executable, __file__, "--components", str(args.components), "--make", str(sbom)],
            check=True,
        )
        size = sbom.stat().st_size
        rss_before = peak_rss_mb()
        t0 = time.perf_counter()
        with sbom.open() as f:
            json.load(f)
        t_json = time.perf_counter() - t0
        t0 = time.perf_counter()
        doc = read(sbom)
        t_read = time.perf_counter() - t0
        store = Store.open(Settings(home=Path(tmp), database_url=f"sqlite:///{tmp}/bench.db"))
        t0 = time.perf_counter()
        _, doc2 = import_sbom(store, sbom, "bench", "1.0")
        t_import = time.perf_counter() - t0
        store.close()
    assert len(doc.components) == len(doc2.components) == args.components
    print(f"file: {args.components} components, {size:,} bytes")
    print(f"baseline json.load:          {t_json:7.3f} s")
    ratio = t_read / t_json
    print(f"read (parse + map):          {t_read:7.3f} s   ratio to json.load: {ratio:5.1f}x")
    print(
        f"read + SQLite import:        {t_import:7.3f} s   ratio to json.load: "
        f"{t_import / t_json:5.1f}x"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB (before the SBOM was read: {rss_before:.0f} MB)")
    print(f"warnings: {len(doc.warnings)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

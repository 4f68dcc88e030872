"""Build soupwatch's Kbuild map (kernel object → Kconfig conditions) from real kernel source.

Usage::

    python scripts/build_kbuild_map.py SOURCE [--label TEXT] [-o OUT.json.gz]

SOURCE is a kernel tree (a directory with the top-level Kbuild) or a kernel source tarball,
e.g. /usr/src/linux-source-6.1.tar.xz from Debian's ``linux-source-6.1`` package. Only the
``Kbuild``/``Makefile`` files are read. The default output is the bundled map of the tree's
series, ``src/soupwatch/triage/data/kbuild-map-<series>.json.gz``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from soupwatch.errors import SoupwatchError
from soupwatch.triage.kbuild import build_map, makefiles_from_source, save_map

DATA = Path(__file__).resolve().parent.parent / "src/soupwatch/triage/data"


def main(argv: list[str] | None = None) -> int:
    """Build and write the map; print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="kernel tree or source tarball")
    parser.add_argument("-o", "--output", type=Path, help="default: the bundled map of its series")
    parser.add_argument("--label", help="source description stored in the map")
    args = parser.parse_args(argv)
    try:
        files = makefiles_from_source(args.source)
        kmap = build_map(files, args.label or args.source.name)
        out = args.output or DATA / f"kbuild-map-{kmap.series}.json.gz"
        save_map(kmap, out)
    except SoupwatchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    size = out.stat().st_size
    print(
        f"linux {kmap.kernel}: {len(files)} Makefiles, {len(kmap.dirs)} directories, "
        f"{len(kmap.objs)} objects, {len(kmap.unresolved)} directories with unexpanded "
        f"expressions -> {out} ({size} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

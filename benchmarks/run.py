"""Run the benchmarks: ``./dev bench`` runs all, ``./dev bench scan`` runs bench_scan.py.

Each ``bench_*.py`` prints its own measurements and the ratio against a baseline measured in
the same process, so numbers from different machines can be compared by their ratios.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all when none are named); return the worst exit code."""
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    worst = 0
    for name in names:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"no benchmark named {name!r} ({script.name} missing)", file=sys.stderr)
            return 2
        print(f"== {script.name}", flush=True)
        worst = max(worst, subprocess.call([sys.executable, str(script)]))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

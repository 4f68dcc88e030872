"""Regenerate the golden pairs' ``expected.*`` files from the real output, then show the diff.

python scripts/update_golden.py            # every case
python scripts/update_golden.py -k vex     # pytest arguments pass through

Same as ``SOUPWATCH_UPDATE_GOLDEN=1 pytest tests/golden``. Review ``git diff tests/golden``
before committing: every changed line is a change users will see.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    """Run the golden tests in update mode; print which expected files changed."""
    env = {**os.environ, "SOUPWATCH_UPDATE_GOLDEN": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "tests/golden", *argv]
    code = subprocess.call(command, cwd=ROOT, env=env)
    if code != 0:
        return code
    subprocess.call(["git", "status", "--short", "tests/golden"], cwd=ROOT)
    return subprocess.call(["git", "diff", "--stat", "tests/golden"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

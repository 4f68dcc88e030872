"""The one table of exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``soupwatch`` command."""

    OK = 0
    FINDINGS = 1
    """Findings met a ``--fail-on`` threshold, or a policy / verification failed."""
    BAD_INPUT = 2
    """Bad input or usage: the message names the file and the place."""

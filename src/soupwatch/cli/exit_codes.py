"""The one table of exit codes."""

from __future__ import annotations

from enum import IntEnum

from soupwatch.errors import DecisionConflict, SoupwatchError


class ExitCode(IntEnum):
    """Process exit codes of the ``soupwatch`` command."""

    OK = 0
    FINDINGS = 1
    """Findings met a ``--fail-on`` threshold, or a policy / verification failed."""
    BAD_INPUT = 2
    """Bad input or usage: the message names the file and the place."""
    CONFLICT = 3
    """Another writer changed the decision since it was read (``--expected-version``)."""


def for_error(err: SoupwatchError) -> ExitCode:
    """The exit code of a soupwatch error: a write conflict is 3, any other error 2."""
    return ExitCode.CONFLICT if isinstance(err, DecisionConflict) else ExitCode.BAD_INPUT

"""The whole soupwatch exception tree.

::

    SoupwatchError
    ├── ConfigError            settings, profiles, policies that make no sense
    │   └── MissingExtra       an optional part is not installed (pip install 'soupwatch[…]')
    ├── SbomError              an SBOM could not be read or written
    │   └── SbomFormatError    not an SBOM we know, or malformed; names file and place
    ├── DiscoveryError         an artifact could not be unpacked or read
    │   └── UnpackLimitError   a size / ratio / count / depth limit refused the input
    ├── StoreError             the database refused or is out of date
    │   ├── NotFoundError      no such product, release or record
    │   ├── AlreadyExists      a user, team, product … of that name is already there
    │   ├── InUse              still named by other records (a product decisions name)
    │   ├── StoreBusy          no database connection free in time; retry after ``retry_after``
    │   └── StaleCursor        a page cursor of a list that changed since: start again
    ├── AccessError            identity and access (server/, soupwatch admin)
    │   ├── NotAuthenticated   no valid session or API key, or a wrong password
    │   ├── Forbidden          authenticated, but the role or key scope does not allow it
    │   └── Throttled          too many failed logins; retry after ``retry_after`` seconds
    ├── FeedError              a vulnerability feed failed
    │   ├── FeedUnavailable    network / HTTP failure (non-fatal: collected and reported)
    │   └── FeedFormatError    a feed file is truncated, corrupt or of an unknown version
    │       └── FeedLimitError a download, gunzip or zip member passed max_input_bytes
    ├── MatchError             a component could not be matched
    ├── RiskError              a device profile or rubric answer is invalid
    ├── VexError               a VEX statement or document is invalid
    │   ├── AuditError         the audit trail is broken
    │   └── DecisionConflict   another writer changed the decision since the caller read it
    │       └── AlreadyReviewed  that version of the decision is already approved or rejected
    ├── DisclosureError        a vulnerability report or its triage is invalid (names the field)
    ├── ReportError            a deliverable could not be produced
    │   └── AdvisoryRefused    an advisory fails the CSAF schema or mandatory tests: not published
    ├── FleetError             a unit export, check-in or update campaign is invalid
    ├── IncidentError          an incident, a playbook step or a decision on it is invalid
    └── DeliveryError          a notification could not be sent (kept in the delivery log)

Every error carries a one-line message (line breaks in quoted input are folded, long quotes
cut: :func:`one_line`) that names the file and, where it applies, the
place in it (line, JSON path). The CLI prints that line and exits with code 2.
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 500
"""A message (or a path or place) longer than this is cut: hostile input can be quoted in it."""
_BREAKS = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f\ud800-\udfff]")


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` on one line (line breaks become ``⏎``, control characters and lone surrogates
    ``\ufffd``, so any terminal can print it), cut to ``limit`` characters."""
    head = text.strip()[: limit * 2]  # cut first: the patterns then see a bounded text
    flat = _UNPRINTABLE.sub("\ufffd", _BREAKS.sub(" ⏎ ", head))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class SoupwatchError(Exception):
    """Root of every error soupwatch raises on purpose."""

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None):
        self.message = one_line(message)
        self.path = None if path is None else one_line(path)
        self.where = None if where is None else one_line(where)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        prefix = ""
        if self.path:
            prefix = f"{self.path}"
            if self.where:
                prefix += f" ({self.where})"
            prefix += ": "
        return prefix + self.message


class ConfigError(SoupwatchError):
    """A setting, device profile or policy is invalid."""


class MissingExtra(ConfigError):
    """A feature needs an optional extra that is not installed; the message says which."""

    def __init__(self, feature: str, extra: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(f"{feature} needs the [{extra}] extra: pip install 'soupwatch[{extra}]'")


class SbomError(SoupwatchError):
    """An SBOM could not be read or written."""


class SbomFormatError(SbomError):
    """The input is not an SBOM we can read, or it is malformed."""


class DiscoveryError(SoupwatchError):
    """An artifact could not be unpacked or inspected."""


class UnpackLimitError(DiscoveryError):
    """A safety limit (size, ratio, file count, depth, path) refused the input."""


class StoreError(SoupwatchError):
    """The database could not be read or written."""


class NotFoundError(StoreError):
    """A product, release or record the caller named is not in the store."""


class StoreBusy(StoreError):
    """Every database connection of the pool stayed in use for the pool timeout: the server is
    overloaded (HTTP 503 with ``Retry-After``), nothing was written."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class AlreadyExists(StoreError):
    """A user, team, product or grant of that name is already stored."""


class InUse(StoreError):
    """The change would leave other records naming what no longer exists."""


class StaleCursor(StoreError):
    """A page cursor of a list that has changed since it was made (the release's assessment
    was recomputed: a scan, a feed sync, a decision, a new day); page again from the start."""


class AccessError(SoupwatchError):
    """Identity and access: who the caller is and what it may do."""


class NotAuthenticated(AccessError):
    """No valid session or API key came with the request, or the credentials are wrong."""


class Forbidden(AccessError):
    """The caller is known, but its role (or its key's scope) does not allow this."""


class Throttled(AccessError):
    """Too many failed logins for a user or from an address; try again later."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class FeedError(SoupwatchError):
    """A vulnerability-intelligence feed failed."""


class FeedUnavailable(FeedError):
    """A feed could not be reached (network, HTTP status)."""


class FeedFormatError(FeedError):
    """A feed file is truncated, corrupt or of an unknown schema version."""


class FeedLimitError(FeedFormatError):
    """A download, a decompressed file or a zip member passed ``max_input_bytes``.

    Unlike a corrupt file (a warning, the feed carries on), it stops the feed: the limit is
    the run's promise about one input, and nothing of that input is stored.
    """


class MatchError(SoupwatchError):
    """A component could not be matched against vulnerability data."""


class RiskError(SoupwatchError):
    """A device profile, rubric answer or policy is invalid."""


class VexError(SoupwatchError):
    """A VEX statement or document is invalid."""


class AuditError(VexError):
    """The hash-chained audit trail does not verify."""


class DecisionConflict(VexError):
    """A decision was written with an expected version that is no longer the stored one.

    Another writer recorded a decision on the same subject since the caller read it; the
    caller should read the current decision (its ``current`` version) and decide again.
    """

    def __init__(self, subject: str, expected: int, current: int) -> None:
        self.subject = subject
        self.expected = expected
        self.current = current
        stored = f"version {current}" if current else "no decision"
        super().__init__(
            f"conflict: the decision on {subject} is at {stored}, not version {expected}; "
            "read it again and retry",
            where="expected_version",
        )


class AlreadyReviewed(DecisionConflict):
    """The decision version named already has its verdict (approved or rejected).

    A verdict is final for its version; changing the decision makes a new version to review.
    """

    def __init__(self, subject: str, version: int, verdict: str) -> None:
        self.subject = subject
        self.expected = version
        self.current = version
        VexError.__init__(
            self,
            f"conflict: version {version} of the decision on {subject} is already {verdict}; "
            "change the decision to have a new version reviewed",
            where="version",
        )


class DisclosureError(SoupwatchError):
    """A coordinated vulnerability disclosure report, or a triage change to one, is invalid;
    ``where`` names the field."""


class ReportError(SoupwatchError):
    """A deliverable could not be produced."""


class FleetError(SoupwatchError):
    """A deployed-unit export (file, line, column), check-in or update campaign is invalid."""


class IncidentError(SoupwatchError):
    """An incident could not be opened or changed as asked (a step already done, a close
    before the playbook and the Part 806 decision, a bad source); ``where`` names the field."""


class DeliveryError(SoupwatchError):
    """A notification could not be sent (SMTP or HTTP); a value of the delivery log, retried
    with backoff, never raised to the caller of ``deliver_pending``."""


class AdvisoryRefused(ReportError):
    """A CSAF advisory was not published: ``problems`` lists every schema violation and failed
    mandatory test (the message names the first ones)."""

    def __init__(self, tracking_id: str, problems: list[str]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        super().__init__(
            f"advisory {tracking_id!r} not published: {len(problems)} problem(s): {shown}"
        )

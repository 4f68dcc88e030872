"""Version ranges in the ``vers`` syntax (``vers:generic/>=1.1.0|<1.1.1w``), tested with the
one version order of :mod:`soupwatch.match.versions`.

The syntax is the package-url ``vers`` specification, as univers implements it: a versioning
scheme (a purl type, or ``generic``), then ``|``-separated constraints with a comparator
(``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``), or ``*`` for every version. Containment follows
the specification's algorithm (equalities, then the intervals between sorted constraints).
Versions are compared in our schemes, not univers' own classes: univers reads the generic
``1.1.1w`` as a pre-release of ``1.1.1`` (``1.1.1-w``), while OpenSSL, BusyBox and most device
software use trailing letters as later releases.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from soupwatch.errors import MatchError
from soupwatch.match.versions import PURL_TYPE_SCHEMES, ParsedVersion, Scheme, parse_version

_VERS = re.compile(r"^vers:([a-z0-9.+-]+)/(.+)$", re.IGNORECASE)
_CONSTRAINT = re.compile(r"^(>=|<=|!=|<|>|=)?(.+)$")
MAX_CONSTRAINTS = 64


@dataclass(frozen=True, slots=True)
class VersRange:
    """A parsed ``vers`` range: its scheme and sorted (comparator, version) constraints."""

    text: str
    scheme: Scheme
    constraints: tuple[tuple[str, ParsedVersion], ...]
    """Empty: ``*``, every version."""

    def contains(self, version: str | None) -> bool:
        """Whether ``version`` is in the range (an unreadable version is in none but ``*``)."""
        if not self.constraints:
            return True
        parsed = parse_version(version, self.scheme)
        if not isinstance(parsed, ParsedVersion):
            return False
        if any(op == "=" and parsed == v for op, v in self.constraints):
            return True
        if any(op == "!=" and parsed == v for op, v in self.constraints):
            return False
        ranged = [(op, v) for op, v in self.constraints if op not in ("=", "!=")]
        if not ranged:
            return False
        if len(ranged) == 1:
            return _holds(ranged[0], parsed)
        for i, (current, following) in enumerate(itertools.pairwise(ranged)):
            if i == 0 and current[0] in ("<", "<=") and _holds(current, parsed):
                return True
            if i == len(ranged) - 2 and following[0] in (">", ">=") and _holds(following, parsed):
                return True
            opens, closes = current[0] in (">", ">="), following[0] in ("<", "<=")
            if opens and closes and _holds(current, parsed) and _holds(following, parsed):
                return True
        return False


def _holds(constraint: tuple[str, ParsedVersion], v: ParsedVersion) -> bool:
    op, bound = constraint
    return {
        "<": v < bound,
        "<=": v <= bound,
        ">": v > bound,
        ">=": v >= bound,
    }[op]


def scheme_for_vers(kind: str) -> Scheme:
    """The version scheme of a ``vers`` type (a purl type; ``openssl``; else generic)."""
    kind = kind.lower()
    if kind == "openssl":
        return Scheme.OPENSSL
    return PURL_TYPE_SCHEMES.get(kind, Scheme.GENERIC)


def parse_vers(text: str) -> VersRange:
    """Read a ``vers`` range; a :class:`~soupwatch.errors.MatchError` naming ``range`` and the
    constraint it cannot read."""
    m = _VERS.match(text.strip())
    if m is None:
        raise MatchError(
            f"range: {text!r} is not a vers range (vers:generic/>=1.0|<2.0)", where="range"
        )
    kind, body = m.groups()
    scheme = scheme_for_vers(kind)
    if body.strip() == "*":
        return VersRange(text.strip(), scheme, ())
    parts = [p.strip() for p in body.split("|")]
    if len(parts) > MAX_CONSTRAINTS:
        raise MatchError(f"range: more than {MAX_CONSTRAINTS} constraints", where="range")
    constraints: list[tuple[str, ParsedVersion]] = []
    for part in parts:
        cm = _CONSTRAINT.match(part)
        if not part or cm is None:
            raise MatchError(f"range: empty constraint in {text!r}", where="range")
        op, raw = cm.group(1) or "=", cm.group(2).strip()
        parsed = parse_version(raw, scheme)
        if not isinstance(parsed, ParsedVersion):
            raise MatchError(f"range: {parsed.describe()}", where="range")
        constraints.append((op, parsed))
    constraints.sort(key=lambda c: c[1])
    return VersRange(text.strip(), scheme, tuple(constraints))

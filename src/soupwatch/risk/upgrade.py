"""Fixed versions and the nearest safe upgrade.

"Nearest" is the smallest fixed version above the current one in the same release line
(the longest shared leading run of version parts: ``1.1.1k`` stays on ``1.1.1`` when ``1.1.1l``
and ``3.0.2`` both fix it), falling back to the smallest fixed version above the current one.
"""

from __future__ import annotations

import re

_PART = re.compile(r"\d+|[a-z]+", re.IGNORECASE)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders ``1.1.1k`` < ``1.1.1l`` < ``1.1.10`` < ``3.0.2``.

    Numbers compare as numbers; letters after a number (OpenSSL's ``1.1.1k``) compare as
    text; pre-release words (``rc``, ``beta``, ``alpha``, ``dev``) sort before the release.
    """
    out: list[tuple[int, int | str]] = []
    for token in _PART.findall(version.lstrip("vV")):
        if token.isdigit():
            out.append((2, int(token)))
        elif token.lower() in ("dev", "alpha", "a", "beta", "b", "pre", "rc"):
            out.append((0, token.lower()))
        else:
            out.append((1, token.lower()))
    return tuple(out)


def _line(version: str) -> list[str]:
    return re.split(r"[.\-_+]", version.lstrip("vV"))


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(_line(a), _line(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def nearest_safe_upgrade(current: str | None, fixed: tuple[str, ...]) -> str | None:
    """The smallest fixed version above ``current`` in its line, else the smallest above it."""
    if not current or not fixed:
        return None
    key = version_key(current)
    above = [f for f in fixed if version_key(f) > key]
    if not above:
        return None
    best_shared = max(_shared_prefix(current, f) for f in above)
    if best_shared > 0:
        in_line = [f for f in above if _shared_prefix(current, f) == best_shared]
        # the line must be a real release line (not only the major number of a 3-part version)
        if best_shared >= min(2, len(_line(current)) - 1):
            return min(in_line, key=version_key)
    return min(above, key=version_key)

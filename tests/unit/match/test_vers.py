"""vers ranges: the specification's containment algorithm with our version order (OpenSSL
letters are later releases, not univers' generic pre-releases), and one-line refusals."""

from __future__ import annotations

import pytest

from soupwatch.errors import MatchError
from soupwatch.match.vers import parse_vers

CASES = [
    ("vers:generic/>=1.1.0|<1.1.1w", {"1.1.0": True, "1.1.1k": True, "1.1.1v": True,
                                     "1.1.1w": False, "1.0.2u": False, "3.0.0": False}),
    ("vers:openssl/>=1.0.1|<=1.0.1f", {"1.0.1": True, "1.0.1f": True, "1.0.1g": False}),
    ("vers:pypi/>=2.0|!=2.5|<3", {"1.9": False, "2.0": True, "2.5": False, "2.9": True,
                                  "3.0": False}),
    ("vers:generic/<1.0|>=2.0|<2.5|>3", {"0.9": True, "1.0": False, "2.4": True, "2.5": False,
                                         "3": False, "3.1": True}),
    ("vers:generic/1.2.3|1.2.5", {"1.2.3": True, "1.2.4": False, "1.2.5": True}),
    ("vers:generic/>5.10", {"5.10": False, "5.10.52": True}),
    ("vers:generic/*", {"anything": True, "": True}),
    ("vers:deb/>=1:2.0-1", {"1:2.0-1": True, "2.9": False}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_containment(text: str, expected: dict[str, bool]) -> None:
    r = parse_vers(text)
    assert {v: r.contains(v) for v in expected} == expected


def test_an_unreadable_version_is_in_no_bounded_range() -> None:
    assert parse_vers("vers:generic/>=1.0").contains("latest") is False
    assert parse_vers("vers:generic/>=1.0").contains(None) is False


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("generic/>=1.0", "is not a vers range"),
        ("vers:generic/>=1.0|", "empty constraint"),
        ("vers:generic/>=banana", "version 'banana' cannot be read"),
        ("vers:generic/" + "|".join(["1"] * 65), "more than 64 constraints"),
    ],
)
def test_refusals_name_the_range(text: str, words: str) -> None:
    with pytest.raises(MatchError, match=words) as caught:
        parse_vers(text)
    assert caught.value.where == "range" and "\n" not in str(caught.value)

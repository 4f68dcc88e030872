"""Version schemes: vendor letters, kernel rc, OpenSSH p releases, distro EVRs, unparsable text."""

from __future__ import annotations

import pytest

from soupwatch.match.versions import (
    ParsedVersion,
    Scheme,
    Unparsable,
    branch_upper,
    combine_update,
    parse_version,
)


def v(text: str, scheme: Scheme = Scheme.GENERIC) -> ParsedVersion:
    parsed = parse_version(text, scheme)
    assert isinstance(parsed, ParsedVersion), parsed
    return parsed


@pytest.mark.parametrize(
    ("low", "high", "scheme"),
    [
        ("1.0.1f", "1.0.1g", Scheme.OPENSSL),
        ("1.0.1g", "1.0.2", Scheme.OPENSSL),
        ("1.0.2", "1.0.2a", Scheme.OPENSSL),
        ("1.0.0a", "1.0.2k", Scheme.OPENSSL),
        ("1.0.2w", "1.0.2x", Scheme.OPENSSL),
        ("1.0.2z", "1.0.2za", Scheme.OPENSSL),
        ("1.0.2zf", "1.0.2zg", Scheme.OPENSSL),
        ("3.0.9", "3.0.10", Scheme.OPENSSL),
        ("3.0.0-alpha1", "3.0.0", Scheme.OPENSSL),
        ("5.10.0-rc1", "5.10", Scheme.GENERIC),
        ("4.19.99", "4.19.325", Scheme.GENERIC),
        ("1.36.0", "1.36.1", Scheme.GENERIC),
        ("3.7.17", "3.40.1", Scheme.GENERIC),
        ("9.2", "9.2p1", Scheme.GENERIC),
        ("9.2p1", "9.2p2", Scheme.GENERIC),
        ("9.2p2", "9.3", Scheme.GENERIC),
        ("1.0b2", "1.0", Scheme.GENERIC),
        ("2.14.1", "2.15.0", Scheme.MAVEN),
        ("1:1.1.1n-0+deb11u5", "1:1.1.1w-0+deb11u1", Scheme.DEBIAN),
        ("1.1.1w-0+deb11u1", "1:1.0", Scheme.DEBIAN),
        ("1:3.0.7-25.el9_3", "1:3.0.7-27.el9", Scheme.RPM),
        ("3.1.4-r0", "3.1.4-r1", Scheme.ALPINE),
        ("2.6.0", "2.7.0rc1", Scheme.PYPI),
        ("1.2.3-beta.1", "1.2.3", Scheme.SEMVER),
    ],
)
def test_order(low: str, high: str, scheme: Scheme) -> None:
    assert v(low, scheme) < v(high, scheme)
    assert not v(high, scheme) < v(low, scheme)


def test_trailing_zero_and_v_prefix_are_equal() -> None:
    assert v("5.10") == v("5.10.0")
    assert v("v2.3.1") == v("2.3.1")


def test_cpe_update_field_joins_the_version() -> None:
    assert v(combine_update("1.0.1", "beta1")) < v("1.0.1")
    assert v(combine_update("9.2", "p1")) == v("9.2p1")
    assert combine_update("1.2", "*") == "1.2"


@pytest.mark.parametrize("text", ["latest", "", "2.x", "@VCS_TAG@", "1.*", "unknown", None])
@pytest.mark.parametrize("scheme", [Scheme.GENERIC, Scheme.PYPI, Scheme.SEMVER, Scheme.RPM])
def test_unparsable_is_a_value_not_a_crash(text: str | None, scheme: Scheme) -> None:
    parsed = parse_version(text, scheme)
    assert isinstance(parsed, Unparsable)
    assert repr(text or "") in parsed.describe() or "no version" in parsed.reason


def test_branch_upper() -> None:
    upper = branch_upper("5.10.*", Scheme.GENERIC)
    assert upper is not None and upper == v("5.11")
    assert branch_upper("*", Scheme.GENERIC) is None

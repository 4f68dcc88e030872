"""The decisions file of ``vex apply``: every bad line is one error naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from soupwatch.errors import VexError
from soupwatch.model.vex import VexResponse, VexScope, VexState
from soupwatch.vex import read_lines

GOOD = (
    '{"vulnerability": "CVE-2014-0160", "state": "exploitable", "product": "pump", '
    '"responses": ["update"], "expected_version": 2, "reason": "r"}'
)


def test_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(f"# header\n\n{GOOD}\n")
    [line] = read_lines(path, default_author="me")
    assert line.line == 3 and line.expected_version == 2 and line.reason == "r"
    s = line.statement
    assert (s.state, s.scope, s.author) == (VexState.EXPLOITABLE, VexScope.PRODUCT, "me")
    assert s.responses == (VexResponse.UPDATE,)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("{not json", "line 2", "not JSON"),
        ("[1, 2]", "line 2", "a line must be a JSON object"),
        ('{"vulnerability": "X", "state": "in_triage", "stat": 1}', "line 2, stat", "unknown"),
        ('{"vulnerability": "X"}', "line 2, state", "state: missing"),
        ('{"vulnerability": "X", "state": "fixed"}', "line 2, state", "'fixed' is not one of"),
        (
            '{"vulnerability": "X", "state": "in_triage", "responses": "update"}',
            "line 2, responses",
            "list of strings",
        ),
        (
            '{"vulnerability": "X", "state": "in_triage", "expected_version": -1}',
            "line 2, expected_version",
            "0 or more",
        ),
        (
            '{"vulnerability": "X", "state": "in_triage", "expected_version": true}',
            "line 2, expected_version",
            "whole number",
        ),
        (
            '{"vulnerability": "X", "state": "in_triage", "expires": "soon"}',
            "line 2, expires",
            "not a date",
        ),
        ("[" * 100_000, "line 2", "not JSON"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, text: str, where: str, message: str) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(f"{GOOD}\n{text}\n")
    with pytest.raises(VexError) as caught:
        read_lines(path, default_author="me")
    err = str(caught.value)
    assert err.startswith(f"{path} ({where}): ") and message in err and "\n" not in err


def test_not_utf8_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"vulnerability": "\xff"}\n')
    with pytest.raises(VexError, match="not UTF-8 at byte 19"):
        read_lines(path, default_author="me")
    with pytest.raises(VexError, match="cannot read"):
        read_lines(tmp_path / "absent.jsonl", default_author="me")

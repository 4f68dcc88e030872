"""The named input limits (config.InputLimits) and the untrusted-input readers enforcing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from soupwatch.config import InputLimits, input_limits, load_settings
from soupwatch.errors import ConfigError, SbomError, SoupwatchError, one_line
from soupwatch.untrusted import check_tree, clean_text, load_yaml, loads_json, parse_xml, read_bytes


def _fail(message: str, where: str | None) -> SoupwatchError:
    return SbomError(message, path="in", where=where)


def test_limits_come_from_the_environment_by_name() -> None:
    limits = input_limits({"SOUPWATCH_LIMIT_MAX_DEPTH": "7", "SOUPWATCH_LIMIT_MAX_FILES": "1_000"})
    assert (limits.max_depth, limits.max_files) == (7, 1000)
    assert limits.max_components == InputLimits().max_components
    assert limits.describe("max_depth") == "limit max_depth=7, SOUPWATCH_LIMIT_MAX_DEPTH"
    settings = load_settings({"SOUPWATCH_HOME": "/tmp/x", "SOUPWATCH_LIMIT_MAX_DEPTH": "9"})
    assert settings.limits.max_depth == 9


@pytest.mark.parametrize("value", ["ten", "0", "-3", "1" * 5000])
def test_a_bad_limit_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="SOUPWATCH_LIMIT_MAX_DEPTH"):
        input_limits({"SOUPWATCH_LIMIT_MAX_DEPTH": value})


def test_error_messages_are_one_printable_line() -> None:
    err = SbomError("bad:\n  line two\r\n\x00\ud800" + "x" * 2000, path="a\nb", where="l\n1")
    text = str(err)
    assert "\n" not in text and "\r" not in text and len(text) < 520
    text.encode("utf-8")
    assert one_line("a\n\nb") == "a ⏎ b"


def test_check_tree_is_iterative_and_counts_what_it_cleans() -> None:
    deep: list[object] = []
    node = deep
    for _ in range(50_000):  # deeper than any recursion limit
        child: list[object] = []
        node.append(child)
        node = child
    with pytest.raises(SbomError, match="max_depth"):
        check_tree(deep, InputLimits(), _fail)
    data = {"a\x00": ["x\ud800", "ok", {"k": "\x01"}], "n": 10**150}
    fixed, cleaned = check_tree(data, InputLimits(), _fail, numbers=False)
    assert fixed == {"a\ufffd": ["x\ufffd", "ok", {"k": "\ufffd"}], "n": 10**150}
    assert cleaned == 3
    with pytest.raises(SbomError, match="max_number_digits"):
        check_tree({"n": 10**150}, InputLimits(), _fail)


def test_json_escapes_are_cleaned_and_raw_json_is_left_alone() -> None:
    value, cleaned = loads_json('{"a": "x\\u0000", "b": "\\ud83d\\ude00"}', InputLimits(), _fail)
    assert value == {"a": "x\ufffd", "b": "\U0001f600"} and cleaned == 1
    assert clean_text("a\x00b\tc\n") == ("a\ufffdb\tc\n", 1)


def test_a_surrogate_encoded_as_utf8_bytes_is_cleaned() -> None:
    """json.loads decodes bytes with surrogatepass: ED BF BF (U+DFFF as UTF-8, invalid) came
    through as a lone surrogate, which no store or export can write (found by fuzzing the API:
    a job's audit entry failed to hash). It is cleaned like the escaped form."""
    value, cleaned = loads_json(
        b'{"a": "\xed\xbf\xbf", "b": "\xf0\x9f\x98\x80"}', InputLimits(), _fail
    )
    assert value == {"a": "\ufffd", "b": "\U0001f600"} and cleaned == 1
    value, cleaned = loads_json(b'{"a": "\xed\x9f\xbf"}', InputLimits(), _fail)  # U+D7FF: valid
    assert value == {"a": "\ud7ff"} and cleaned == 0


def test_yaml_aliases_and_deep_xml_are_refused() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(SbomError, match="aliases"):
        load_yaml(bomb, InputLimits(), _fail)
    with pytest.raises(SbomError, match="max_depth=3"):
        parse_xml("<a><b><c><d/></c></b></a>", InputLimits(max_depth=3), _fail)


def test_read_bytes_caps_what_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_bytes(path, InputLimits(max_input_bytes=100), _fail) == b"x" * 100
    with pytest.raises(SbomError, match="max_input_bytes=99"):
        read_bytes(path, InputLimits(max_input_bytes=99), _fail)
    with pytest.raises(SbomError, match="a folder, not a regular file"):
        read_bytes(tmp_path, InputLimits(), _fail)

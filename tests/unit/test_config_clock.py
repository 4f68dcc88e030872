"""SOUPWATCH_NOW: the one fixed clock the CLI reads, for reproducible output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soupwatch.config import load_settings
from soupwatch.errors import ConfigError


def test_fixed_clock_is_read_as_utc() -> None:
    settings = load_settings({"SOUPWATCH_HOME": "/h", "SOUPWATCH_NOW": "2026-11-28T09:00:00+01:00"})
    assert settings.now == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert settings.clock() == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert settings.clock().tzinfo is UTC


def test_without_it_the_clock_runs() -> None:
    settings = load_settings({"SOUPWATCH_HOME": "/h"})
    assert settings.now is None
    assert abs(settings.clock() - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("bad", ["yesterday", "2026-11-28T08:00:00", "2026-13-01T00:00:00Z"])
def test_a_bad_or_naive_reading_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="SOUPWATCH_NOW"):
        load_settings({"SOUPWATCH_HOME": "/h", "SOUPWATCH_NOW": bad})

"""Settings: where data lives and which database to use. One loader, no globals."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from soupwatch.errors import ConfigError

DEFAULT_APP_NAME = "soupwatch"
ENV_HOME = "SOUPWATCH_HOME"
ENV_DATABASE_URL = "SOUPWATCH_DATABASE_URL"
ENV_MIRROR = "SOUPWATCH_MIRROR"
ENV_NOW = "SOUPWATCH_NOW"
"""A fixed clock reading (ISO 8601 with a UTC offset) for reproducible output (golden tests)."""
DEFAULT_SQLITE_NAME = "soupwatch.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings for one run."""

    home: Path
    database_url: str
    mirror: Path | None = None
    now: datetime | None = None

    def clock(self) -> datetime:
        """The time of this run: the fixed reading of ``SOUPWATCH_NOW``, else the clock (UTC)."""
        return self.now if self.now is not None else datetime.now(UTC)

    @property
    def is_sqlite(self) -> bool:
        """True when the store is the embedded SQLite database."""
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``SOUPWATCH_HOME``, ``SOUPWATCH_DATABASE_URL``,
    ``SOUPWATCH_MIRROR``, ``SOUPWATCH_NOW``).

    Raises :class:`~soupwatch.errors.ConfigError` when ``SOUPWATCH_NOW`` is not an ISO 8601
    time with a UTC offset.
    """
    env = dict(os.environ) if env is None else env
    home = Path(env.get(ENV_HOME) or platformdirs.user_data_dir(DEFAULT_APP_NAME))
    url = env.get(ENV_DATABASE_URL) or f"sqlite:///{home / DEFAULT_SQLITE_NAME}"
    mirror = Path(env[ENV_MIRROR]) if env.get(ENV_MIRROR) else None
    now = _fixed_now(env[ENV_NOW]) if env.get(ENV_NOW) else None
    return Settings(home=home, database_url=url, mirror=mirror, now=now)


def _fixed_now(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError as err:
        raise ConfigError(f"{ENV_NOW}={text!r} is not an ISO 8601 time") from err
    if when.tzinfo is None:
        raise ConfigError(f"{ENV_NOW}={text!r} needs a UTC offset, e.g. 2026-11-28T08:00:00Z")
    return when.astimezone(UTC)

"""Settings: where data lives and which database to use. One loader, no globals."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_APP_NAME = "soupwatch"
ENV_HOME = "SOUPWATCH_HOME"
ENV_DATABASE_URL = "SOUPWATCH_DATABASE_URL"
ENV_MIRROR = "SOUPWATCH_MIRROR"
DEFAULT_SQLITE_NAME = "soupwatch.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings for one run."""

    home: Path
    database_url: str
    mirror: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        """True when the store is the embedded SQLite database."""
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``SOUPWATCH_HOME``, ``SOUPWATCH_DATABASE_URL``)."""
    env = dict(os.environ) if env is None else env
    home = Path(env.get(ENV_HOME) or platformdirs.user_data_dir(DEFAULT_APP_NAME))
    url = env.get(ENV_DATABASE_URL) or f"sqlite:///{home / DEFAULT_SQLITE_NAME}"
    mirror = Path(env[ENV_MIRROR]) if env.get(ENV_MIRROR) else None
    return Settings(home=home, database_url=url, mirror=mirror)

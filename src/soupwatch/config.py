"""Settings: where data lives and which database to use. One loader, no globals."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from soupwatch.errors import ConfigError

DEFAULT_APP_NAME = "soupwatch"
ENV_HOME = "SOUPWATCH_HOME"
ENV_DATABASE_URL = "SOUPWATCH_DATABASE_URL"
ENV_MIRROR = "SOUPWATCH_MIRROR"
ENV_NOW = "SOUPWATCH_NOW"
ENV_BROKER_URL = "SOUPWATCH_BROKER_URL"
"""amqp://… (RabbitMQ) or redis://…: jobs go to workers; unset: they run in-process."""
"""A fixed clock reading (ISO 8601 with a UTC offset) for reproducible output (golden tests)."""
DEFAULT_SQLITE_NAME = "soupwatch.db"
ENV_LIMIT_PREFIX = "SOUPWATCH_LIMIT_"
"""``SOUPWATCH_LIMIT_<NAME>`` overrides one :class:`InputLimits` field (``…_MAX_DEPTH=200``)."""

ENV_OIDC_CLIENT_SECRET = "SOUPWATCH_OIDC_CLIENT_SECRET"
"""Where ``serve --oidc-issuer`` reads the client secret (never from the command line)."""
DEFAULT_MAX_CONCURRENT = 16
"""Requests one server worker process works on at once (``serve --max-concurrent``)."""
DEFAULT_REQUEST_TIMEOUT = 60.0
"""Seconds a read (GET, HEAD) may take before it is answered 503 (``serve --request-timeout``)."""

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class InputLimits:
    """What one untrusted input (SBOM, VEX, feed file, profile, kernel config, artifact) may
    hold before it is refused with a one-line error naming the limit (exit 2, nothing stored).
    In a feed sync a file over a limit other than ``max_input_bytes`` is skipped with a warning
    naming it, and the sync goes on with the other files (docs/reliability.md).

    Every limit is settable as ``SOUPWATCH_LIMIT_<NAME>`` (``SOUPWATCH_LIMIT_MAX_DEPTH=200``).
    docs/reliability.md lists them with the reason for each default.
    """

    max_input_bytes: int = 1024 * MIB
    """Bytes read from one input file; larger files are refused before a byte is read."""
    max_depth: int = 100
    """Nesting of JSON/YAML collections and XML elements (real SBOMs: under 20)."""
    max_string_chars: int = 4 * MIB
    """Characters in one string value (licence texts are the longest real ones, ~100 KB)."""
    max_number_digits: int = 100
    """Digits in one integer (Python refuses to print ints above 4,300 digits)."""
    max_json_values: int = 25_000_000
    """Values (array elements, object members, containers) in one JSON document, counted from
    its separators before it is parsed: a parsed value costs 50-100 bytes of memory, so this
    bounds the parsed tree, not only the bytes (an NVD 1.1 yearly feed holds a few million)."""
    max_components: int = 1_000_000
    """Components in one SBOM."""
    max_relationships: int = 5_000_000
    """Dependency and containment edges in one SBOM."""
    max_files: int = 500_000
    """Entries unpacked from one artifact, at every nesting level together."""
    max_decompressed_bytes: int = 8 * 1024 * MIB
    """Bytes unpacked from one artifact in total, counted while streaming."""
    max_file_bytes: int = 2 * 1024 * MIB
    """Bytes of one unpacked file."""
    max_archive_depth: int = 4
    """Archives inside archives (``a.tar.gz!/b.deb!/data.tar.xz`` is 3)."""
    max_path_depth: int = 256
    """Folders in one unpacked member path; deeper members are skipped with a warning."""
    max_name_bytes: int = 255
    """Bytes of one path component of an unpacked member; longer names are skipped with a
    warning (the usual file-system maximum)."""

    def describe(self, name: str) -> str:
        """``limit max_depth=100, SOUPWATCH_LIMIT_MAX_DEPTH`` for an error message."""
        return f"limit {name}={getattr(self, name)}, {ENV_LIMIT_PREFIX}{name.upper()}"


def input_limits(env: dict[str, str] | None = None) -> InputLimits:
    """The limits of this run: the defaults, each overridden by ``SOUPWATCH_LIMIT_<NAME>``.

    Raises :class:`~soupwatch.errors.ConfigError` for a value that is not a positive integer.
    """
    env = dict(os.environ) if env is None else env
    values: dict[str, int] = {}
    for f in fields(InputLimits):
        key = ENV_LIMIT_PREFIX + f.name.upper()
        text = env.get(key)
        if text is None or text == "":
            continue
        try:
            values[f.name] = int(text.replace("_", ""), 10)
        except ValueError as err:
            raise ConfigError(f"{key}={text[:40]!r} is not a whole number") from err
        if values[f.name] < 1:
            raise ConfigError(f"{key}={text[:40]!r} must be at least 1")
    return InputLimits(**values)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings for one run."""

    home: Path
    database_url: str
    mirror: Path | None = None
    now: datetime | None = None
    limits: InputLimits = field(default_factory=InputLimits)
    broker_url: str | None = None
    """Where jobs are sent (``SOUPWATCH_BROKER_URL``); None: the embedded mode runs them here."""

    def clock(self) -> datetime:
        """The time of this run: the fixed reading of ``SOUPWATCH_NOW``, else the clock (UTC)."""
        return self.now if self.now is not None else datetime.now(UTC)

    @property
    def is_sqlite(self) -> bool:
        """True when the store is the embedded SQLite database."""
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``SOUPWATCH_HOME``, ``SOUPWATCH_DATABASE_URL``,
    ``SOUPWATCH_MIRROR``, ``SOUPWATCH_NOW``, ``SOUPWATCH_LIMIT_*``, ``SOUPWATCH_BROKER_URL``).

    Raises :class:`~soupwatch.errors.ConfigError` when ``SOUPWATCH_NOW`` is not an ISO 8601
    time with a UTC offset or a limit is not a positive whole number.
    """
    env = dict(os.environ) if env is None else env
    home = Path(env.get(ENV_HOME) or platformdirs.user_data_dir(DEFAULT_APP_NAME))
    url = env.get(ENV_DATABASE_URL) or f"sqlite:///{home / DEFAULT_SQLITE_NAME}"
    mirror = Path(env[ENV_MIRROR]) if env.get(ENV_MIRROR) else None
    now = _fixed_now(env[ENV_NOW]) if env.get(ENV_NOW) else None
    limits = input_limits(env)
    broker = env.get(ENV_BROKER_URL) or None
    return Settings(home, url, mirror=mirror, now=now, limits=limits, broker_url=broker)


def _fixed_now(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError as err:
        raise ConfigError(f"{ENV_NOW}={text!r} is not an ISO 8601 time") from err
    if when.tzinfo is None:
        raise ConfigError(f"{ENV_NOW}={text!r} needs a UTC offset, e.g. 2026-11-28T08:00:00Z")
    return when.astimezone(UTC)

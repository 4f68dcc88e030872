"""Named decoders that turn a matched text into a version (referenced by ``Signature.resolver``)."""

from __future__ import annotations

from collections.abc import Callable

# SQLite releases by the date of their source-id check-in (SQLITE_SOURCE_ID, UTC), 3.20-3.50.
# Where the check-in hash is known, its first 8 hex digits are given too: a date match with a
# differing hash (distributions patch the tail) still resolves, at a lower confidence.
SQLITE_SOURCE_IDS: dict[str, tuple[str, str | None]] = {
    "2017-08-01": ("3.20.0", None),
    "2017-08-24": ("3.20.1", None),
    "2017-10-24": ("3.21.0", None),
    "2018-01-22": ("3.22.0", None),
    "2018-04-02": ("3.23.0", None),
    "2018-04-10": ("3.23.1", None),
    "2018-06-04": ("3.24.0", None),
    "2018-09-15": ("3.25.0", None),
    "2018-09-18": ("3.25.1", None),
    "2018-09-25": ("3.25.2", None),
    "2018-11-05": ("3.25.3", None),
    "2018-12-01": ("3.26.0", None),
    "2019-02-07": ("3.27.0", None),
    "2019-02-08": ("3.27.1", None),
    "2019-02-25": ("3.27.2", None),
    "2019-04-16": ("3.28.0", None),
    "2019-07-10": ("3.29.0", None),
    "2019-10-04": ("3.30.0", None),
    "2019-10-10": ("3.30.1", None),
    "2020-01-22": ("3.31.0", None),
    "2020-01-27": ("3.31.1", "3bfa9cc9"),
    "2020-05-22": ("3.32.0", None),
    "2020-05-25": ("3.32.1", None),
    "2020-06-04": ("3.32.2", None),
    "2020-06-18": ("3.32.3", None),
    "2020-08-14": ("3.33.0", None),
    "2020-12-01": ("3.34.0", None),
    "2021-01-20": ("3.34.1", None),
    "2021-03-12": ("3.35.0", None),
    "2021-03-15": ("3.35.1", None),
    "2021-03-17": ("3.35.2", None),
    "2021-03-26": ("3.35.3", None),
    "2021-04-02": ("3.35.4", None),
    "2021-04-19": ("3.35.5", None),
    "2021-06-18": ("3.36.0", None),
    "2021-11-27": ("3.37.0", None),
    "2021-12-30": ("3.37.1", None),
    "2022-01-06": ("3.37.2", "872ba256"),
    "2022-02-22": ("3.38.0", None),
    "2022-03-12": ("3.38.1", None),
    "2022-03-26": ("3.38.2", None),
    "2022-04-27": ("3.38.3", None),
    "2022-05-04": ("3.38.4", None),
    "2022-05-06": ("3.38.5", None),
    "2022-06-25": ("3.39.0", None),
    "2022-07-13": ("3.39.1", None),
    "2022-07-21": ("3.39.2", None),
    "2022-09-05": ("3.39.3", None),
    "2022-09-29": ("3.39.4", "a29f9949"),
    "2022-11-16": ("3.40.0", None),
    "2022-12-28": ("3.40.1", "df5c253c"),
    "2023-02-21": ("3.41.0", None),
    "2023-03-10": ("3.41.1", None),
    "2023-03-22": ("3.41.2", None),
    "2023-05-16": ("3.42.0", None),
    "2023-08-24": ("3.43.0", None),
    "2023-09-11": ("3.43.1", None),
    "2023-10-10": ("3.43.2", None),
    "2023-11-01": ("3.44.0", None),
    "2023-11-24": ("3.44.2", None),
    "2024-01-15": ("3.45.0", None),
    "2024-01-30": ("3.45.1", "e876e51a"),
    "2024-03-12": ("3.45.2", None),
    "2024-04-15": ("3.45.3", None),
    "2024-05-23": ("3.46.0", None),
    "2024-08-13": ("3.46.1", None),
}


def sqlite_source_id(text: str) -> str | None:
    """``2022-12-28 14:03:47 df5c253c…`` -> ``3.40.1``; None for a check-in not in the table."""
    parts = text.split()
    if len(parts) < 3:
        return None
    entry = SQLITE_SOURCE_IDS.get(parts[0])
    return entry[0] if entry else None


RESOLVERS: dict[str, Callable[[str], str | None]] = {"sqlite_source_id": sqlite_source_id}
"""Resolver name -> decoder."""

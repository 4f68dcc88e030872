"""Where feed files come from: a local mirror directory or HTTP, with retries and safe unpacking.

Every failure is translated where it enters: network and HTTP status errors become
:class:`FeedUnavailable`, truncated or corrupt files :class:`FeedFormatError`, both naming the
URL or file.

One input, one limit: a download, the output of ``gunzip`` and each zip member hold at most
``max_input_bytes`` (:class:`~soupwatch.config.InputLimits`, ``SOUPWATCH_LIMIT_MAX_INPUT_BYTES``),
counted while the bytes stream in, not after; passing it raises :class:`FeedLimitError`, which
stops the feed with nothing of that input stored.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import io
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from soupwatch.config import InputLimits, input_limits
from soupwatch.errors import FeedFormatError, FeedLimitError, FeedUnavailable
from soupwatch.untrusted import loads_json, read_bytes

RETRY_STATUSES = frozenset({403, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""60 s to read, 10 s to connect: an unreachable host (a network without a route out) fails
each attempt in seconds instead of a minute."""
MAX_BACKOFF = 120.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class UnpackLimits:
    """Limits of the feeds' zip archives: member size, member count, total uncompressed size.

    A member over ``max_member_bytes`` is skipped with a warning; one over ``max_input_bytes``
    (:class:`~soupwatch.config.InputLimits`, the cap of every single input and of gzip output)
    stops the feed with :class:`FeedLimitError`.
    """

    max_member_bytes: int = 64 * 1024 * 1024
    max_members: int = 500_000
    max_total_bytes: int = 4 * 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FeedSource:
    """What a feed syncs from: a mirror directory, or HTTP through an injected client.

    ``urls`` overrides a feed's public base URL by feed name (tests point it at 127.0.0.1).
    ``sleep`` and ``clock`` are injectable so that back-off and incremental windows are testable.
    """

    mirror: Path | None = None
    client: httpx.Client | None = None
    urls: Mapping[str, str] = field(default_factory=dict)
    api_key: str | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = _now
    retries: int = 5
    limits: UnpackLimits = field(default_factory=UnpackLimits)
    unreachable: set[str] = field(default_factory=set)
    """Hosts that no attempt could connect to during this source's sync: later requests to
    them fail at once (an offline machine would otherwise back off anew for every file)."""

    def url(self, feed: str, default: str) -> str:
        """The base URL of a feed: the override if one is set, else the public one."""
        return self.urls.get(feed, default).rstrip("/")

    def http(self) -> httpx.Client:
        """The injected client, or a new one with a sane timeout."""
        if self.client is not None:
            return self.client
        return httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=True)

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """GET with back-off on 403/429/5xx and transport errors, honouring ``Retry-After``.

        The body is streamed and held to ``max_input_bytes``: a ``Content-Length`` above it is
        refused before the body is read, a body that passes it stops the download; both raise
        :class:`FeedLimitError` naming the URL and the limit, and are not retried.
        """
        host = httpx.URL(url).host
        if host in self.unreachable:
            raise FeedUnavailable(
                f"not tried: {host} could not be reached earlier in this sync", path=url
            )
        client = self.http()
        try:
            return self._get_with_retries(client, url, host, params, headers)
        finally:
            if client is not self.client:
                client.close()

    def _get_with_retries(
        self,
        client: httpx.Client,
        url: str,
        host: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> bytes:
        limits = input_limits()
        problem, attempts, connected = "no attempt made", 0, False
        for attempt in range(self.retries + 1):
            attempts = attempt + 1
            try:
                with client.stream(
                    "GET", url, params=dict(params or {}), headers=dict(headers or {})
                ) as response:
                    if response.status_code < 300:
                        return read_body(response, url, limits)
            except httpx.TransportError as err:
                problem = f"{err.__class__.__name__}: {err}"
                wait = min(2.0**attempt, MAX_BACKOFF)
                connected = connected or not isinstance(
                    err, httpx.ConnectError | httpx.ConnectTimeout
                )
            else:
                connected = True
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    break
                told = retry_after(response.headers.get("Retry-After"), self.clock())
                wait = min(2.0**attempt, MAX_BACKOFF) if told is None else told
            if attempt < self.retries:
                self.sleep(wait)
        if not connected:
            self.unreachable.add(host)
        raise FeedUnavailable(f"unavailable after {attempts} attempt(s): {problem}", path=url)


def read_body(response: httpx.Response, url: str, limits: InputLimits) -> bytes:
    """A streamed response's body of at most ``max_input_bytes`` (decoded, counted per chunk);
    FeedLimitError naming the URL and the limit when ``Content-Length`` or the body passes it."""
    limit = limits.max_input_bytes
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise FeedLimitError(
            f"Content-Length is {int(declared):,} bytes, above the {limit:,}-byte limit "
            f"({limits.describe('max_input_bytes')}); refused without reading the body",
            path=url,
        )
    return _joined(response.iter_bytes(), limits, url, "download passed", "stopped")


def _joined(
    chunks: Iterable[bytes], limits: InputLimits, path: str, passed: str, then: str
) -> bytes:
    """The chunks joined, stopped with FeedLimitError as soon as they pass ``max_input_bytes``
    ("<passed> the N-byte limit (…); <then>")."""
    limit = limits.max_input_bytes
    out = io.BytesIO()
    for chunk in chunks:
        out.write(chunk)
        if out.tell() > limit:
            raise FeedLimitError(
                f"{passed} the {limit:,}-byte limit ({limits.describe('max_input_bytes')}); {then}",
                path=path,
            )
    return out.getvalue()


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_BACKOFF)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), MAX_BACKOFF)


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def gunzip(data: bytes, name: str) -> bytes:
    """Decompress a gzip file; truncation or corruption raise FeedFormatError, output passing
    ``max_input_bytes`` (counted per 1 MiB chunk while it streams) raises
    FeedLimitError naming the limit."""
    limits = input_limits()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            chunks = iter(lambda: stream.read(1 << 20), b"")
            return _joined(chunks, limits, name, "decompresses to more than", "refused")
    except (EOFError, OSError, zlib.error) as err:
        raise FeedFormatError(f"truncated or corrupt gzip: {err}", path=name) from err


def maybe_gunzip(data: bytes, name: str) -> bytes:
    """Decompress when the bytes are gzip (magic 1f 8b), else return them unchanged."""
    return gunzip(data, name) if data[:2] == b"\x1f\x8b" else data


def read_mirror_file(path: Path, name: str | None = None) -> bytes:
    """A mirror file's bytes, read like every other untrusted input: a regular file of at most
    ``max_input_bytes`` (a larger one is refused before a byte is read), else FeedFormatError."""

    def fail(message: str, where: str | None) -> FeedFormatError:
        return FeedFormatError(message, path=name or str(path), where=where)

    return read_bytes(path, input_limits(), fail)


def load_json(data: bytes, name: str) -> Any:
    """Parse JSON within the run's input limits (depth, string and number sizes; NUL and lone
    surrogates replaced), naming the file and line/column on error."""

    def fail(message: str, where: str | None) -> FeedFormatError:
        text = message.replace("invalid JSON", "corrupt JSON")
        place = where.replace(", column", " column") if where else None  # the feeds' spelling
        return FeedFormatError(text, path=name, where=place)

    value, _cleaned = loads_json(data, input_limits(), fail)
    return value


def zip_members(
    data: bytes,
    name: str,
    limits: UnpackLimits,
    warn: Callable[[str], None],
) -> Iterator[tuple[str, bytes]]:
    """Yield (member name, bytes) of a zip, refusing traversal names and oversized members.

    Each member is capped by the smaller of ``max_member_bytes`` and ``max_input_bytes`` (one
    member is one input, also when it is itself a zip). Members over ``max_member_bytes`` are
    skipped and reported through ``warn`` (never silently dropped); a member over
    ``max_input_bytes`` raises FeedLimitError before the first member is yielded, so nothing of
    the archive is imported; a corrupt archive raises FeedFormatError.
    """
    inputs = input_limits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as err:
        raise FeedFormatError(f"corrupt zip: {err}", path=name) from err
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > limits.max_members:
            warn(
                f"{name}: {len(infos)} members, over the limit of {limits.max_members}; "
                f"the rest are skipped"
            )
            infos = infos[: limits.max_members]
        for info in infos:  # the central directory's sizes: zipfile never inflates past them
            if info.file_size > inputs.max_input_bytes:
                raise _member_over_limit(name, info.filename, info.file_size, inputs)
        cap = min(limits.max_member_bytes, inputs.max_input_bytes)
        total = 0
        for info in infos:
            member = info.filename
            if member.startswith(("/", "\\")) or ".." in member.replace("\\", "/").split("/"):
                warn(f"{name}: member {member!r} has an unsafe path; skipped")
                continue
            if info.file_size > limits.max_member_bytes:
                warn(
                    f"{name}: member {member} is {info.file_size} bytes, over the limit of "
                    f"{limits.max_member_bytes}; skipped"
                )
                continue
            total += info.file_size
            if total > limits.max_total_bytes:
                warn(f"{name}: over {limits.max_total_bytes} bytes uncompressed; rest skipped")
                return
            try:
                with archive.open(info) as stream:
                    content = stream.read(cap + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as err:
                warn(f"{name}: member {member} is corrupt ({err}); skipped")
                continue
            if len(content) > inputs.max_input_bytes:
                raise _member_over_limit(name, member, len(content), inputs)
            if len(content) > limits.max_member_bytes:
                warn(f"{name}: member {member} inflates past the size limit; skipped")
                continue
            yield member, content


def _member_over_limit(name: str, member: str, size: int, limits: InputLimits) -> FeedLimitError:
    limit = limits.max_input_bytes
    return FeedLimitError(
        f"member {member} is {size:,} bytes uncompressed, above the {limit:,}-byte limit "
        f"({limits.describe('max_input_bytes')}); archive refused",
        path=name,
    )

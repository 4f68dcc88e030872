"""The intelligence stage's interface: feeds that sync, and the query the matcher uses.

Shapes handed to the matcher are the feeds' *native* shapes, so that matching logic can be
tested on real records read straight from the mirror:

* ``CpeCandidate.configurations`` — NVD CVE API 2.0 ``cve.configurations`` (legacy 1.1
  ``configurations.nodes`` with ``children`` / ``cpe_match`` / ``cpe23Uri`` are converted to
  this shape on import: ``[{"operator"?, "negate"?, "nodes": [{"operator", "negate",
  "cpeMatch": [{"vulnerable", "criteria", "versionStartIncluding", ...}]}]}]``).
* ``OsvCandidate.affected`` — one item of an OSV advisory's ``affected`` list.
* ``CnaCandidate.affected`` — one item of a CVE JSON 5 ``containers.cna.affected`` list.

These mappings are decoded once per process and shared between scans (the query caches
them): callers read them and must never modify them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from soupwatch.model import Epss, KevEntry, Vulnerability
from soupwatch.model.assessment import DataSnapshot

if TYPE_CHECKING:
    from soupwatch.intel.records import ParsedRecord
    from soupwatch.intel.source import FeedSource

ProgressCallback = Callable[[int, int | None, str], None]
"""``(done, total or None, what)``: called as a sync advances."""


@dataclass(frozen=True, slots=True)
class CpeCandidate:
    """A CVE whose NVD configurations name a (vendor, product)."""

    vuln_id: str
    configurations: tuple[Mapping[str, Any], ...]
    source: str = "nvd"


@dataclass(frozen=True, slots=True)
class OsvCandidate:
    """An OSV advisory's ``affected`` item for an (ecosystem, package name)."""

    vuln_id: str
    affected: Mapping[str, Any]
    aliases: tuple[str, ...] = ()
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class CnaCandidate:
    """A CVE JSON 5 ``affected`` item written by the CNA itself."""

    vuln_id: str
    affected: Mapping[str, Any]
    assigner: str


@dataclass(frozen=True, slots=True)
class EolCycle:
    """One release cycle of an endoflife.date product.

    ``eol`` / ``support`` keep endoflife.date's meaning: a date, ``True`` (already ended,
    date unknown), ``False`` (not ended) or None (not stated).
    """

    cycle: str
    release_date: date | None = None
    eol: date | bool | None = None
    support: date | bool | None = None
    extended_support: date | bool | None = None
    lts: bool = False
    latest: str | None = None
    latest_release_date: date | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class EolProduct:
    """An endoflife.date product: its identifiers (purl / cpe / repology) and cycles."""

    name: str
    label: str | None
    identifiers: tuple[tuple[str, str], ...]
    cycles: tuple[EolCycle, ...] = field(default=())


class IntelQuery(Protocol):
    """Read side of the intelligence store. Every method is a few index probes."""

    def cpe_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[CpeCandidate]]:
        """CVEs whose configurations name each (vendor, product), lower-cased keys."""
        ...

    def osv_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[OsvCandidate]]:
        """OSV ``affected`` items per (ecosystem, package name) as OSV spells them."""
        ...

    def cna_candidates(self, products: Iterable[str]) -> dict[str, list[CnaCandidate]]:
        """CVE JSON 5 ``affected`` items per lower-cased product (or packageName)."""
        ...

    def vulnerabilities(self, ids: Iterable[str]) -> dict[str, Vulnerability]:
        """Full records (CVSS of every source, CWE, references, aliases, KEV, EPSS) by id."""
        ...

    def eol_product(self, name: str) -> EolProduct | None:
        """An endoflife.date product by its name (``openssl``, ``linux-kernel``, …)."""
        ...

    def eol_products(self) -> list[EolProduct]:
        """Every end-of-life product, for mapping components by identifiers."""
        ...

    def snapshot(self) -> list[DataSnapshot]:
        """Per source: record count, newest record, last sync."""
        ...


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a feed sync did."""

    source: str
    records: int
    warnings: tuple[str, ...] = ()
    resumed: bool = False
    newest: datetime | None = None


class Dataset(StrEnum):
    """What a feed fills: vulnerability records, or one of the whole-catalogue tables."""

    RECORDS = "records"
    KEV = "kev"
    EPSS = "epss"
    EOL = "eol"


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Parsed records of one unit, replacing by key within their namespace.

    ``source`` is what the records are (``nvd``, ``cve5``, ``osv``); ``origin`` the file or
    endpoint they came from and ``stamp`` its version (SHA-256 or page URL). ``drop_stale``
    (the last unit of a complete file) also drops the origin's records of older stamps.
    """

    records: Sequence[ParsedRecord]
    source: str
    origin: str
    stamp: str
    drop_stale: bool = False


@dataclass(frozen=True, slots=True)
class KevCatalogue:
    """The whole CISA KEV catalogue; ``names`` maps a CVE to its ``vulnerabilityName``."""

    entries: Sequence[KevEntry]
    names: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EpssScores:
    """Every EPSS score of one daily file."""

    scores: Sequence[Epss]


@dataclass(frozen=True, slots=True)
class EolCatalogue:
    """Every endoflife.date product; ``versions`` maps product → version → release date."""

    products: Sequence[EolProduct]
    versions: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)


UnitData = RecordBatch | KevCatalogue | EpssScores | EolCatalogue
"""What one unit writes: records by key, or a catalogue that replaces the old one whole."""


@dataclass(frozen=True, slots=True)
class UnitMark:
    """How far a sync got once its unit is committed: a whole file, or a resume cursor."""

    file: str | None = None
    sha256: str | None = None
    cursor: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class FeedState:
    """One feed's stored state: what it holds, how fresh, how its last sync ended."""

    source: str
    records: int = 0
    newest_record: datetime | None = None
    last_sync: datetime | None = None
    cursor: Mapping[str, Any] | None = None
    warnings: int = 0
    warning_messages: tuple[str, ...] = ()
    last_error: str | None = None
    sync_started: datetime | None = None
    """When the newest sync started (None: no sync recorded since this was tracked)."""
    sync_finished: datetime | None = None
    """When it ended; None while it runs, and forever when it was killed."""
    sync_progress: datetime | None = None
    """When it last committed a unit of data."""
    sync_complete: bool = True
    """False from the start of a sync until one ends completely."""

    @property
    def incomplete(self) -> str | None:
        """``incomplete: nvd sync interrupted at …`` while the newest sync has not completed.

        THE one wording of partial data: ``scan``, ``assess``, ``db status``, the reports and
        the API all show this text, until a sync of the feed completes.
        """
        if self.sync_complete or self.sync_started is None:
            return None
        if self.sync_finished is None:
            at = self.sync_progress or self.sync_started
            return f"incomplete: {self.source} sync interrupted at {_stamp(at)}"
        cause = self.last_error or next(iter(self.warning_messages), None)
        why = f": {_short(cause)}" if cause else " (see `soupwatch db status`)"
        return f"incomplete: {self.source} sync failed at {_stamp(self.sync_finished)}{why}"


def _short(text: str, limit: int = 160) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if at.tzinfo else at.isoformat()


@dataclass(frozen=True, slots=True)
class FeedEnding:
    """How a sync ended: ``advance`` moves ``last_sync`` to ``started`` and clears the cursor."""

    dataset: Dataset
    started: datetime
    advance: bool
    warnings: tuple[str, ...] = ()
    error: str | None = None
    finished: datetime | None = None
    """When the sync ended (the feed's clock)."""

    @property
    def complete(self) -> bool:
        """True when the sync got everything it set out to get (it advances, with no error)."""
        return self.advance and self.error is None


class IntelSink(Protocol):
    """Write side of the intelligence store: where feeds hand what they parsed.

    Guarantees implementers keep: :meth:`put` writes the data AND its mark in one transaction
    (a killed sync leaves the last committed unit and all older data); :meth:`start` returns
    the cursor the last committed unit left, so a rerun resumes. A unit that fails to write
    raises the database's error after its transaction is rolled back (data and mark alike).
    """

    def start(self, feed: str, now: datetime) -> FeedState:
        """Note the attempt and return the feed's state (cursor, last sync) as stored."""
        ...

    def is_done(self, feed: str, file: str, sha256: str) -> bool:
        """True when this exact file (same SHA-256) was imported completely before."""
        ...

    def put(self, feed: str, data: UnitData, mark: UnitMark, now: datetime) -> int:
        """Write one unit and its progress mark in one transaction; returns records written."""
        ...

    def finish(self, feed: str, ending: FeedEnding) -> FeedState:
        """Recount the dataset, store the outcome (warnings, error, last sync); the new state."""
        ...

    def record_failure(self, feed: str, message: str, now: datetime) -> None:
        """Keep a failed sync's error without touching its data, cursor or last sync."""
        ...


class Feed(Protocol):
    """A vulnerability-intelligence feed that parses its records and hands them to a sink.

    ``sync`` imports from a mirror directory or HTTP (``source``), one sink unit per file, page
    or chunk together with its resume cursor (the sink commits each unit in one transaction;
    see :class:`IntelSink`), and returns what it did. A feed that
    cannot be reached raises :class:`~soupwatch.errors.FeedUnavailable`; bad files or records
    are skipped with a warning in the result (never silently), previous data stays intact.
    """

    name: str

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Bring this feed's data in the sink up to date."""
        ...

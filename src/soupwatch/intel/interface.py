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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from soupwatch.model import Vulnerability
from soupwatch.model.assessment import DataSnapshot

if TYPE_CHECKING:
    from soupwatch.intel.source import FeedSource
    from soupwatch.store.db import Store

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


class Feed(Protocol):
    """A vulnerability-intelligence feed that syncs into the store.

    ``sync`` imports from a mirror directory or HTTP (``source``), one transaction per unit
    (file, page, chunk) together with its resume cursor, and returns what it did. A feed that
    cannot be reached raises :class:`~soupwatch.errors.FeedUnavailable`; bad files or records
    are skipped with a warning in the result (never silently), previous data stays intact.
    """

    name: str

    def sync(
        self, store: Store, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Bring this feed's data in the store up to date."""
        ...

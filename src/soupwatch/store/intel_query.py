"""``StoreIntelQuery``: the read side of the intelligence store (implements ``IntelQuery``).

Besides the matcher's and the risk stage's reads (``IntelQuery``) it answers the questions the
edges ask of the feeds: each feed's stored state (``feed_states``) and whether any feed knows
an id (``knows``).

Key normalisation (what the matcher can rely on):

* CPE keys: ``(vendor, product)`` lower-cased, CPE 2.3 escapes KEPT as NVD writes them
  (``("treck", "tcp\\/ip")``). Rejected NVD records are not returned.
* OSV keys: ecosystem spelled as OSV does (``PyPI``, ``AlmaLinux:9``, ``Maven``); the name as
  OSV spells it, except that PyPI names are compared PEP 503-normalised on both sides.
* CNA keys: lower-cased ``product`` or ``packageName``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from soupwatch.intel.interface import (
    CnaCandidate,
    CpeCandidate,
    EolCycle,
    EolProduct,
    FeedState,
    OsvCandidate,
)
from soupwatch.intel.records import osv_lookup_name
from soupwatch.model import Vulnerability
from soupwatch.model.assessment import DataSnapshot
from soupwatch.store.intel_merge import merge_vulnerabilities
from soupwatch.store.intel_sink import feed_state
from soupwatch.store.intel_tables import (
    IntelAliasRow,
    IntelCnaAffectedRow,
    IntelCpeConfigRow,
    IntelCpeIndexRow,
    IntelEolCycleRow,
    IntelEolProductRow,
    IntelFeedStateRow,
    IntelOsvAffectedRow,
    IntelRecordRow,
)
from soupwatch.store.intel_write import chunks

_DECODED: dict[str, Any] = {}
_DECODED_MAX = 200_000


def decoded(raw: Any) -> Any:
    """A JSON column's value, decoded once per distinct text for the life of the process.

    The kernel CNA's ~29,000 ``affected`` items (28 MB of JSON) are read by every scan; keyed
    by their exact text, a later scan gets the *same* objects back, so the matcher can keep
    what it compiled from them (see ``soupwatch.match.interface.CompiledRecords``). The values
    are shared: callers must treat them as read-only. A driver that decodes JSON itself is
    passed through.
    """
    if not isinstance(raw, str):
        return raw
    found = _DECODED.get(raw)
    if found is None:
        if len(_DECODED) >= _DECODED_MAX:
            _DECODED.clear()
        found = _DECODED[raw] = json.loads(raw)
    return found


def _by_product(rows: Iterable[Any]) -> dict[tuple[str, str], list[CpeCandidate]]:
    """CPE candidate rows (vendor, product, id, configurations as text, source) by product."""
    found: dict[tuple[str, str], list[CpeCandidate]] = {}
    for vendor, product, vid, configs, source in rows:
        candidate = CpeCandidate(vuln_id=vid, configurations=tuple(decoded(configs)), source=source)
        found.setdefault((vendor, product), []).append(candidate)
    return found


SQL_FILTER_MAX = 1000
"""Restricting ids (``only_vulns``) up to this many are filtered in the query; more are left to
the caller (``match.changed_only`` filters what it is given)."""


class StoreIntelQuery:
    """Reads the intelligence tables through one session; every method is a few index probes.

    ``only_vulns``: CPE and CNA candidates of these vulnerability ids only, filtered in the
    query (a partial re-match after a feed change judges only the changed ids: reading and
    decoding every record of a product with thousands of CVEs to keep a few cost more than the
    matching). The caller still filters (``match.changed_only.ChangedOnly``): past
    :data:`SQL_FILTER_MAX` ids, and for OSV (whose aliases decide), nothing is filtered here."""

    def __init__(self, session: Session, only_vulns: frozenset[str] | None = None) -> None:
        self.session = session
        self.only = (
            sorted(only_vulns)
            if only_vulns is not None and len(only_vulns) <= SQL_FILTER_MAX
            else None
        )
        self._only_cpe: dict[tuple[str, str], list[CpeCandidate]] | None = None

    def cpe_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[CpeCandidate]]:
        """CVEs whose configurations name each (vendor, product), lower-cased keys."""
        wanted = sorted({(v.lower(), p.lower()) for v, p in keys})
        query = (
            select(
                IntelCpeIndexRow.vendor,
                IntelCpeIndexRow.product,
                IntelCpeIndexRow.vuln_id,
                cast(IntelCpeConfigRow.configurations, Text),
                IntelRecordRow.source,
            )
            .join(IntelCpeConfigRow, IntelCpeConfigRow.record_key == IntelCpeIndexRow.record_key)
            .join(IntelRecordRow, IntelRecordRow.key == IntelCpeIndexRow.record_key)
            .where(IntelRecordRow.withdrawn.is_(False))
        )
        if self.only is not None:
            if self._only_cpe is None:  # the few records of these ids, every product they
                # name, in one query, kept for the next components matched through this query
                self._only_cpe = _by_product(
                    self.session.execute(
                        query.where(IntelCpeIndexRow.vuln_id.in_(self.only)).order_by(
                            IntelCpeIndexRow.vendor,
                            IntelCpeIndexRow.product,
                            IntelCpeIndexRow.vuln_id,
                        )
                    )
                )
            return {key: list(self._only_cpe.get(key, ())) for key in wanted}
        rows: list[Any] = []
        for vendor, product in wanted:
            rows += self.session.execute(
                query.where(
                    IntelCpeIndexRow.vendor == vendor, IntelCpeIndexRow.product == product
                ).order_by(IntelCpeIndexRow.vuln_id)
            ).all()
        found = _by_product(rows)
        return {key: found.get(key, []) for key in wanted}

    def osv_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[OsvCandidate]]:
        """OSV ``affected`` items per (ecosystem, package name) as OSV spells them."""
        result: dict[tuple[str, str], list[OsvCandidate]] = {}
        for ecosystem, name in sorted(set(keys)):
            rows = self.session.execute(
                select(
                    IntelOsvAffectedRow.record_key,
                    IntelOsvAffectedRow.vuln_id,
                    IntelOsvAffectedRow.affected,
                    IntelRecordRow.withdrawn,
                )
                .join(IntelRecordRow, IntelRecordRow.key == IntelOsvAffectedRow.record_key)
                .where(
                    IntelOsvAffectedRow.ecosystem == ecosystem,
                    IntelOsvAffectedRow.name == osv_lookup_name(ecosystem, name),
                )
                .order_by(IntelOsvAffectedRow.vuln_id, IntelOsvAffectedRow.id)
            ).all()
            aliases = self._aliases_of({r[0] for r in rows})
            result[(ecosystem, name)] = [
                OsvCandidate(
                    vuln_id=vid,
                    affected=affected,
                    aliases=aliases.get(key, ()),
                    withdrawn=bool(withdrawn),
                )
                for key, vid, affected, withdrawn in rows
            ]
        return result

    def _aliases_of(self, record_keys: set[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for part in chunks(sorted(record_keys)):
            for key, alias in self.session.execute(
                select(IntelAliasRow.record_key, IntelAliasRow.alias).where(
                    IntelAliasRow.record_key.in_(part)
                )
            ):
                found.setdefault(key, []).append(alias)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def cna_candidates(self, products: Iterable[str]) -> dict[str, list[CnaCandidate]]:
        """CVE JSON 5 ``affected`` items per lower-cased product (or packageName)."""
        result: dict[str, list[CnaCandidate]] = {}
        for product in sorted({p.lower() for p in products}):
            rows = self.session.execute(
                select(
                    IntelCnaAffectedRow.vuln_id,
                    cast(IntelCnaAffectedRow.affected, Text),
                    IntelCnaAffectedRow.assigner,
                )
                .join(IntelRecordRow, IntelRecordRow.key == IntelCnaAffectedRow.record_key)
                .where(
                    IntelCnaAffectedRow.lookup == product,
                    IntelRecordRow.withdrawn.is_(False),
                    *([] if self.only is None else [IntelCnaAffectedRow.vuln_id.in_(self.only)]),
                )
                .order_by(IntelCnaAffectedRow.vuln_id, IntelCnaAffectedRow.id)
            ).all()
            result[product] = [
                CnaCandidate(vuln_id=v, affected=decoded(a), assigner=s) for v, a, s in rows
            ]
        return result

    def vulnerabilities(self, ids: Iterable[str]) -> dict[str, Vulnerability]:
        """Full records (CVSS of every source, CWE, references, aliases, KEV, EPSS) by id."""
        return merge_vulnerabilities(self.session, sorted(set(ids)))

    def eol_product(self, name: str) -> EolProduct | None:
        """An endoflife.date product by its name (``openssl``, ``linux-kernel``, …)."""
        row = self.session.get(IntelEolProductRow, name)
        return self._eol(row) if row is not None else None

    def eol_products(self) -> list[EolProduct]:
        """Every end-of-life product, for mapping components by identifiers."""
        rows = self.session.scalars(
            select(IntelEolProductRow).order_by(IntelEolProductRow.name)
        ).all()
        return [self._eol(r) for r in rows]

    def _eol(self, row: IntelEolProductRow) -> EolProduct:
        cycles = self.session.scalars(
            select(IntelEolCycleRow)
            .where(IntelEolCycleRow.product == row.name)
            .order_by(IntelEolCycleRow.position)
        ).all()
        identifiers = tuple(
            sorted((str(k), str(v)) for item in row.identifiers for k, v in item.items())
        )
        return EolProduct(
            name=row.name,
            label=row.label,
            identifiers=identifiers,
            cycles=tuple(
                EolCycle(
                    cycle=c.cycle,
                    release_date=c.release_date,
                    eol=decode_flag(c.eol),
                    support=decode_flag(c.support),
                    extended_support=decode_flag(c.extended_support),
                    lts=c.lts,
                    latest=c.latest,
                    latest_release_date=c.latest_release_date,
                    link=c.link,
                )
                for c in cycles
            ),
        )

    def snapshot(self) -> list[DataSnapshot]:
        """Per source: record count, newest record, last sync, and whether the sync is partial."""
        return [
            DataSnapshot(
                source=s.source,
                records=s.records,
                newest_record=s.newest_record,
                last_sync=s.last_sync,
                incomplete=s.incomplete,
            )
            for s in self.feed_states()
        ]

    def feed_states(self) -> list[FeedState]:
        """Every feed's stored state (records, freshness, cursor, warnings), sorted by name."""
        rows = self.session.scalars(select(IntelFeedStateRow).order_by(IntelFeedStateRow.source))
        return [feed_state(r) for r in rows]

    def knows(self, vuln_id: str) -> bool:
        """True when a synced feed has a record of ``vuln_id`` or lists it as an alias.

        Both the id as given and upper-cased are looked up (feeds spell ids upper-case).
        """
        spellings = sorted({vuln_id, vuln_id.upper()})
        record = self.session.scalar(
            select(IntelRecordRow.vuln_id).where(IntelRecordRow.vuln_id.in_(spellings)).limit(1)
        )
        if record is not None:
            return True
        alias = self.session.scalar(
            select(IntelAliasRow.alias).where(IntelAliasRow.alias.in_(spellings)).limit(1)
        )
        return alias is not None


def decode_flag(value: str | None) -> date | bool | None:
    """A stored endoflife.date flag (``2026-09-07``, ``true``, ``false``) as a value."""
    if value is None:
        return None
    if value in {"true", "false"}:
        return value == "true"
    return date.fromisoformat(value)

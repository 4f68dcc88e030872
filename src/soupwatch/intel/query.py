"""``StoreIntelQuery``: the read side of the intelligence store (implements ``IntelQuery``).

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
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from soupwatch.intel.eol_read import load_eol_product, load_eol_products
from soupwatch.intel.interface import (
    CnaCandidate,
    CpeCandidate,
    EolProduct,
    OsvCandidate,
)
from soupwatch.intel.merge import merge_vulnerabilities
from soupwatch.intel.records import as_utc, osv_lookup_name
from soupwatch.intel.writer import chunks
from soupwatch.model import Vulnerability
from soupwatch.model.assessment import DataSnapshot
from soupwatch.store.intel_tables import (
    IntelAliasRow,
    IntelCnaAffectedRow,
    IntelCpeConfigRow,
    IntelCpeIndexRow,
    IntelFeedStateRow,
    IntelOsvAffectedRow,
    IntelRecordRow,
)

_DECODED: dict[str, Any] = {}
_DECODED_MAX = 200_000


def decoded(raw: Any) -> Any:
    """A JSON column's value, decoded once per distinct text for the life of the process.

    The kernel CNA's ~29,000 ``affected`` items (28 MB of JSON) are read by every scan; keyed
    by their exact text, a later scan gets the *same* objects back, so the matcher can keep
    what it compiled from them (see :mod:`soupwatch.match.sources`). The values are shared:
    callers must treat them as read-only. A driver that decodes JSON itself is passed through.
    """
    if not isinstance(raw, str):
        return raw
    found = _DECODED.get(raw)
    if found is None:
        if len(_DECODED) >= _DECODED_MAX:
            _DECODED.clear()
        found = _DECODED[raw] = json.loads(raw)
    return found


class StoreIntelQuery:
    """Reads the intelligence tables through one session; every method is a few index probes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def cpe_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[CpeCandidate]]:
        """CVEs whose configurations name each (vendor, product), lower-cased keys."""
        result: dict[tuple[str, str], list[CpeCandidate]] = {}
        for vendor, product in sorted({(v.lower(), p.lower()) for v, p in keys}):
            rows = self.session.execute(
                select(
                    IntelCpeIndexRow.vuln_id,
                    cast(IntelCpeConfigRow.configurations, Text),
                    IntelRecordRow.source,
                )
                .join(
                    IntelCpeConfigRow, IntelCpeConfigRow.record_key == IntelCpeIndexRow.record_key
                )
                .join(IntelRecordRow, IntelRecordRow.key == IntelCpeIndexRow.record_key)
                .where(
                    IntelCpeIndexRow.vendor == vendor,
                    IntelCpeIndexRow.product == product,
                    IntelRecordRow.withdrawn.is_(False),
                )
                .order_by(IntelCpeIndexRow.vuln_id)
            ).all()
            result[(vendor, product)] = [
                CpeCandidate(vuln_id=vid, configurations=tuple(decoded(configs)), source=source)
                for vid, configs, source in rows
            ]
        return result

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
                .where(IntelCnaAffectedRow.lookup == product, IntelRecordRow.withdrawn.is_(False))
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
        return load_eol_product(self.session, name)

    def eol_products(self) -> list[EolProduct]:
        """Every end-of-life product, for mapping components by identifiers."""
        return load_eol_products(self.session)

    def snapshot(self) -> list[DataSnapshot]:
        """Per source: record count, newest record, last sync."""
        rows = self.session.scalars(
            select(IntelFeedStateRow).order_by(IntelFeedStateRow.source)
        ).all()
        return [
            DataSnapshot(
                source=r.source,
                records=r.records,
                newest_record=as_utc(r.newest_record),
                last_sync=as_utc(r.last_sync),
            )
            for r in rows
        ]

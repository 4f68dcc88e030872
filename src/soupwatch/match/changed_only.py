"""An intelligence query that sees only some vulnerabilities: matching a component through it
judges only the records of those ids (a partial re-match after a feed change).

Matching a (component, vulnerability) pair reads only that vulnerability's records (every
source of it: NVD configurations, CNA ``affected`` items, OSV advisories naming it as an
alias), so the findings it gives for those ids are the ones a match through the whole store
gives; the findings of the other ids are left as they were (``save_findings(only_vulns=…)``).
``tests/unit/watch/test_incremental.py`` checks the equality on real feed data.
"""

from __future__ import annotations

from collections.abc import Iterable

from soupwatch.intel.interface import (
    CnaCandidate,
    CpeCandidate,
    EolProduct,
    IntelQuery,
    OsvCandidate,
)
from soupwatch.model.assessment import DataSnapshot
from soupwatch.model.vulnerability import Vulnerability


class ChangedOnly:
    """:class:`IntelQuery` over ``query`` restricted to the candidates of ``ids`` (an OSV
    advisory counts when its id or one of its aliases is among them)."""

    def __init__(self, query: IntelQuery, ids: frozenset[str]) -> None:
        self.query = query
        self.ids = ids

    def cpe_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[CpeCandidate]]:
        """The whole query's CPE candidates of the ids."""
        found = self.query.cpe_candidates(keys)
        return {k: [c for c in v if c.vuln_id in self.ids] for k, v in found.items()}

    def osv_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[OsvCandidate]]:
        """The whole query's OSV candidates naming one of the ids."""
        found = self.query.osv_candidates(keys)
        return {
            k: [c for c in v if c.vuln_id in self.ids or not self.ids.isdisjoint(c.aliases)]
            for k, v in found.items()
        }

    def cna_candidates(self, products: Iterable[str]) -> dict[str, list[CnaCandidate]]:
        """The whole query's CNA candidates of the ids."""
        found = self.query.cna_candidates(products)
        return {k: [c for c in v if c.vuln_id in self.ids] for k, v in found.items()}

    def vulnerabilities(self, ids: Iterable[str]) -> dict[str, Vulnerability]:
        """Full records, as the whole query gives them."""
        return self.query.vulnerabilities(ids)

    def eol_product(self, name: str) -> EolProduct | None:
        """As the whole query."""
        return self.query.eol_product(name)

    def eol_products(self) -> list[EolProduct]:
        """As the whole query."""
        return self.query.eol_products()

    def snapshot(self) -> list[DataSnapshot]:
        """As the whole query."""
        return self.query.snapshot()

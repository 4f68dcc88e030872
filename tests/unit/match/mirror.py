"""An IntelQuery read straight from the feed mirror (real records, no store), for logic tests.

It reads the NVD API 2.0 page, the CNA records of chosen CVE ids, OSV advisories and the KEV
catalogue, and answers the IntelQuery protocol from memory. The store-backed query is tested
in test_store_integration.py; this one lets the matching rules be tested on real records
without a database.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from soupwatch.intel.interface import CnaCandidate, CpeCandidate, OsvCandidate
from soupwatch.match.cpe import escape_value, parse_cpe
from soupwatch.model import KevEntry, Vulnerability, VulnId


class MirrorQuery:
    """IntelQuery over real mirror records held in memory."""

    def __init__(self, feeds: Path, cna_ids: Iterable[str] = (), osv_files: Iterable[str] = ()):
        self.cpe: dict[tuple[str, str], list[CpeCandidate]] = defaultdict(list)
        self.osv: dict[tuple[str, str], list[OsvCandidate]] = defaultdict(list)
        self.cna: dict[str, list[CnaCandidate]] = defaultdict(list)
        self.kev: dict[str, KevEntry] = {}
        self.queries: list[str] = []
        self._load_nvd(feeds)
        self._load_cna(feeds, set(cna_ids))
        for f in osv_files:
            self._load_osv(feeds, f)
        for v in json.loads((feeds / "kev/known_exploited_vulnerabilities.json").read_text())[
            "vulnerabilities"
        ]:
            self.kev[v["cveID"]] = KevEntry(v["cveID"], date.fromisoformat(v["dateAdded"]))

    def _load_nvd(self, feeds: Path) -> None:
        with gzip.open(feeds / "nvd/nvdcve-2.0-subset-0001.json.gz") as fh:
            page = json.loads(fh.read())
        for item in page["vulnerabilities"]:
            cve = item["cve"]
            configs = tuple(cve.get("configurations") or ())
            keys = set()
            for cfg in configs:
                for node in cfg["nodes"]:
                    for m in node["cpeMatch"]:
                        name = parse_cpe(m["criteria"])
                        if name:
                            keys.add((escape_value(name.vendor), escape_value(name.product)))
            for key in sorted(keys):
                self.cpe[key].append(CpeCandidate(cve["id"], configs))

    def _load_cna(self, feeds: Path, ids: set[str]) -> None:
        with zipfile.ZipFile(feeds / "cve5/cvelistV5-subset.zip") as z:
            for name in z.namelist():
                cve_id = name.rsplit("/", 1)[-1].removesuffix(".json")
                if cve_id not in ids:
                    continue
                rec = json.loads(z.read(name))
                assigner = (
                    rec["cveMetadata"].get("assignerShortName")
                    or rec["cveMetadata"]["assignerOrgId"]
                )
                for aff in rec["containers"]["cna"].get("affected", []):
                    self.cna[str(aff.get("product", "")).lower()].append(
                        CnaCandidate(cve_id, aff, assigner)
                    )

    def _load_osv(self, feeds: Path, spec: str) -> None:
        """``spec`` is ``zip-path::member`` or a plain file path under feeds/osv."""
        if "::" in spec:
            zpath, member = spec.split("::")
            with zipfile.ZipFile(feeds / "osv" / zpath) as z:
                rec = json.loads(z.read(member))
        else:
            rec = json.loads((feeds / "osv" / spec).read_text())
        aliases = tuple(rec.get("aliases") or ()) + tuple(rec.get("related") or ())
        for aff in rec.get("affected", []):
            pkg = aff["package"]
            self.osv[(pkg["ecosystem"], pkg["name"])].append(
                OsvCandidate(rec["id"], aff, aliases, bool(rec.get("withdrawn")))
            )

    def cpe_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[CpeCandidate]]:
        """CPE candidates per key."""
        self.queries.append("cpe")
        return {k: self.cpe[k] for k in keys if k in self.cpe}

    def osv_candidates(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[OsvCandidate]]:
        """OSV candidates per key."""
        self.queries.append("osv")
        return {k: self.osv[k] for k in keys if k in self.osv}

    def cna_candidates(self, products: Iterable[str]) -> dict[str, list[CnaCandidate]]:
        """CNA candidates per product."""
        self.queries.append("cna")
        return {p: self.cna[p] for p in products if p in self.cna}

    def vulnerabilities(self, ids: Iterable[str]) -> dict[str, Vulnerability]:
        """Minimal records with KEV."""
        self.queries.append("vulnerabilities")
        return {i: Vulnerability(id=VulnId(i), kev=self.kev.get(i)) for i in ids}

    def eol_product(self, name: str) -> Any:
        """Not used by the matcher."""
        return None

    def eol_products(self) -> list[Any]:
        """Not used by the matcher."""
        return []

    def snapshot(self) -> list[Any]:
        """Not used by the matcher."""
        return []

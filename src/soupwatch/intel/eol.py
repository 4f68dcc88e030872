"""endoflife.date: products (front matter as JSON) and release data, replaced as a whole.

Mirror: ``eol/products/<name>.json`` (``releases[]`` with ``releaseCycle``, ``releaseDate``,
``eol``, ``support``/``eoas``, ``eoes``, ``lts``, ``latest``, ``latestReleaseDate``, ``link``;
``identifiers`` purl/cpe/repology) and ``eol/release-data/<name>.json`` (per-version dates).
HTTP: the endoflife.date API v1 (``/api/v1/products`` and ``/api/v1/products/<name>``),
converted to the same fields. All products are one transaction.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from soupwatch.errors import FeedFormatError, FeedUnavailable
from soupwatch.intel.eol_read import encode_flag
from soupwatch.intel.interface import ProgressCallback, SyncResult
from soupwatch.intel.records import parse_date
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json
from soupwatch.store.db import Store
from soupwatch.store.intel_tables import IntelEolCycleRow, IntelEolProductRow

EOL_URL = "https://endoflife.date"


def _cycle_row(product: str, position: int, release: dict[str, Any]) -> dict[str, Any]:
    support = release.get("support", release.get("eoas"))
    latest = release.get("latest")
    return {
        "product": product,
        "position": position,
        "cycle": str(release["releaseCycle"]),
        "release_date": parse_date(release.get("releaseDate")),
        "eol": encode_flag(release.get("eol")),
        "support": encode_flag(support),
        "extended_support": encode_flag(release.get("eoes")),
        "lts": bool(release.get("lts")),
        "latest": None if latest is None else str(latest),
        "latest_release_date": parse_date(release.get("latestReleaseDate")),
        "link": release.get("link") if isinstance(release.get("link"), str) else None,
    }


def parse_product(
    name: str, doc: Any, release_data: Any, where: str, warn: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A product row and its cycle rows; cycles without ``releaseCycle`` are warned."""
    if not isinstance(doc, dict) or not isinstance(doc.get("releases"), list):
        raise FeedFormatError("not an endoflife.date product (no 'releases' list)", path=where)
    identifiers = [i for i in doc.get("identifiers") or () if isinstance(i, dict)]
    versions = (release_data or {}).get("versions") if isinstance(release_data, dict) else None
    product = {
        "name": name,
        "label": doc.get("title") or doc.get("label"),
        "identifiers": identifiers,
        "versions": {str(k): (v or {}).get("date") for k, v in (versions or {}).items()},
    }
    cycles: list[dict[str, Any]] = []
    for index, release in enumerate(doc["releases"]):
        if not isinstance(release, dict) or release.get("releaseCycle") in (None, ""):
            warn(f"{where} ($.releases[{index}]): release without releaseCycle; skipped")
            continue
        cycles.append(_cycle_row(name, len(cycles), release))
    return product, cycles


def from_api_v1(result: dict[str, Any]) -> dict[str, Any]:
    """An API v1 product result converted to the front-matter fields ``parse_product`` reads."""

    def flag(item: dict[str, Any], prefix: str) -> Any:
        return item.get(f"{prefix}From") or item.get(f"is{prefix.capitalize()}")

    releases = [
        {
            "releaseCycle": r.get("name"),
            "releaseDate": r.get("releaseDate"),
            "eol": flag(r, "eol"),
            "support": flag(r, "eoas"),
            "eoes": flag(r, "eoes"),
            "lts": r.get("isLts"),
            "latest": (r.get("latest") or {}).get("name"),
            "latestReleaseDate": (r.get("latest") or {}).get("date"),
            "link": (r.get("latest") or {}).get("link"),
        }
        for r in result.get("releases") or ()
        if isinstance(r, dict)
    ]
    identifiers = [
        {str(i.get("type")): i.get("id")}
        for i in result.get("identifiers") or ()
        if isinstance(i, dict)
    ]
    return {"title": result.get("label"), "identifiers": identifiers, "releases": releases}


def _replace(session: Session, products: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> int:
    session.execute(delete(IntelEolCycleRow))
    session.execute(delete(IntelEolProductRow))
    if products:
        session.execute(insert(IntelEolProductRow), [p for p, _ in products])
        cycles = [c for _, cs in products for c in cs]
        if cycles:
            session.execute(insert(IntelEolCycleRow), cycles)
    return len(products)


def _count(session: Session) -> tuple[int, None]:
    return int(
        session.execute(select(func.count()).select_from(IntelEolProductRow)).scalar_one()
    ), None


class EolFeed:
    """endoflife.date products and cycles."""

    name = "eol"

    def sync(
        self, store: Store, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Replace every product when any file changed."""
        run = FeedRun(store, self.name, source.clock, progress)
        docs = self._mirror(source, run) if source.mirror else self._http(source, run)
        digest = hashlib.sha256()
        products = []
        for name, doc, data, where, raw in docs:
            digest.update(name.encode() + b"\0" + raw)
            try:
                products.append(parse_product(name, doc, data, where, run.warn))
            except FeedFormatError as err:
                run.warn(str(err))
        sha = digest.hexdigest()
        if not docs:
            return run.finish(_count, advance=False)
        if run.is_done("eol", sha):
            run.resumed = True
        else:
            run.unit(partial(_replace, products=products), file="eol", sha256=sha)
        run.tell(len(docs), len(docs), self.name)
        return run.finish(_count)

    def _mirror(self, source: FeedSource, run: FeedRun) -> list[tuple[str, Any, Any, str, bytes]]:
        assert source.mirror is not None
        folder = source.mirror / "eol" / "products"
        docs = []
        for path in sorted(folder.glob("*.json")):
            where = f"eol/products/{path.name}"
            raw = path.read_bytes()
            extra = source.mirror / "eol" / "release-data" / path.name
            extra_raw = extra.read_bytes() if extra.is_file() else b""
            try:
                doc = load_json(raw, where)
                data = load_json(extra_raw, f"eol/release-data/{path.name}") if extra_raw else None
            except FeedFormatError as err:
                run.warn(str(err))
                continue
            docs.append((path.stem, doc, data, where, raw + b"\0" + extra_raw))
        if not docs:
            run.warn(f"{folder}: no product files")
        return docs

    def _http(self, source: FeedSource, run: FeedRun) -> list[tuple[str, Any, Any, str, bytes]]:
        base = source.url(self.name, EOL_URL)
        index_url = f"{base}/api/v1/products"
        listing = load_json(source.get(index_url), index_url)
        names = sorted(
            str(p["name"])
            for p in (listing.get("result") or [])
            if isinstance(p, dict) and p.get("name")
        )
        docs = []
        for done, name in enumerate(names):
            url = f"{index_url}/{name}"
            run.tell(done, len(names), name)
            try:
                raw = source.get(url)
                result = load_json(raw, url).get("result") or {}
            except (FeedUnavailable, FeedFormatError, AttributeError) as err:
                run.warn(f"{url}: {err}")
                continue
            docs.append((name, from_api_v1(result), None, url, raw))
        return docs

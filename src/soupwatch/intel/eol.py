"""endoflife.date: products (front matter as JSON) and release data, replaced as a whole.

Mirror: ``eol/products/<name>.json`` (``releases[]`` with ``releaseCycle``, ``releaseDate``,
``eol``, ``support``/``eoas``, ``eoes``, ``lts``, ``latest``, ``latestReleaseDate``, ``link``;
``identifiers`` purl/cpe/repology) and ``eol/release-data/<name>.json`` (per-version dates).
HTTP: the endoflife.date API v1 (``/api/v1/products`` and ``/api/v1/products/<name>``),
converted to the same fields. All products are one transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError, FeedUnavailable
from soupwatch.intel.interface import (
    Dataset,
    EolCatalogue,
    EolCycle,
    EolProduct,
    IntelSink,
    ProgressCallback,
    SyncResult,
)
from soupwatch.intel.records import parse_date, record_parser
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, load_json, read_mirror_file

EOL_URL = "https://endoflife.date"


def parse_flag(value: Any) -> date | bool | None:
    """endoflife.date's ``eol`` / ``support`` value: a date, True / False, or None (unstated)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        return parse_date(value)
    return None


def _cycle(release: dict[str, Any]) -> EolCycle:
    latest = release.get("latest")
    return EolCycle(
        cycle=str(release["releaseCycle"]),
        release_date=parse_date(release.get("releaseDate")),
        eol=parse_flag(release.get("eol")),
        support=parse_flag(release.get("support", release.get("eoas"))),
        extended_support=parse_flag(release.get("eoes")),
        lts=bool(release.get("lts")),
        latest=None if latest is None else str(latest),
        latest_release_date=parse_date(release.get("latestReleaseDate")),
        link=release.get("link") if isinstance(release.get("link"), str) else None,
    )


@record_parser(3)
def parse_product(
    name: str, doc: Any, release_data: Any, where: str, warn: Any
) -> tuple[EolProduct, dict[str, str | None]]:
    """A product with its cycles, and per-version release dates; bad cycles are warned."""
    if not isinstance(doc, dict) or not isinstance(doc.get("releases"), list):
        raise FeedFormatError("not an endoflife.date product (no 'releases' list)", path=where)
    identifiers = [i for i in doc.get("identifiers") or () if isinstance(i, dict)]
    versions = (release_data or {}).get("versions") if isinstance(release_data, dict) else None
    cycles: list[EolCycle] = []
    for index, release in enumerate(doc["releases"]):
        if not isinstance(release, dict) or release.get("releaseCycle") in (None, ""):
            warn(f"{where} ($.releases[{index}]): release without releaseCycle; skipped")
            continue
        cycles.append(_cycle(release))
    label = doc.get("title") or doc.get("label")
    product = EolProduct(
        name=name,
        label=None if label is None else str(label),
        identifiers=tuple(sorted((str(k), str(v)) for i in identifiers for k, v in i.items())),
        cycles=tuple(cycles),
    )
    dates = {str(k): (v or {}).get("date") for k, v in (versions or {}).items()}
    return product, dates


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


class EolFeed:
    """endoflife.date products and cycles."""

    name = "eol"

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Replace every product when any file changed."""
        run = FeedRun(sink, self.name, source.clock, progress)
        docs = self._mirror(source, run) if source.mirror else self._http(source, run)
        digest = hashlib.sha256()
        products: list[EolProduct] = []
        versions: dict[str, dict[str, str | None]] = {}
        for name, doc, data, where, raw in docs:
            digest.update(name.encode() + b"\0" + raw)
            try:
                product, versions[name] = parse_product(name, doc, data, where, run.warn)
                products.append(product)
            except FeedFormatError as err:
                run.warn(str(err))
        sha = digest.hexdigest()
        if not docs:
            return run.finish(Dataset.EOL, advance=False)
        if run.is_done("eol", sha):
            run.resumed = True
        else:
            catalogue = EolCatalogue(products=products, versions=versions)
            run.unit(catalogue, file="eol", sha256=sha)
        run.tell(len(docs), len(docs), self.name)
        return run.finish(Dataset.EOL)

    def _mirror(self, source: FeedSource, run: FeedRun) -> list[tuple[str, Any, Any, str, bytes]]:
        assert source.mirror is not None
        folder = source.mirror / "eol" / "products"
        docs = []
        for path in sorted(folder.glob("*.json")):
            where = f"eol/products/{path.name}"
            raw = read_mirror_file(path, where)
            extra = source.mirror / "eol" / "release-data" / path.name
            extra_raw = read_mirror_file(extra) if extra.is_file() else b""
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
            except FeedLimitError:  # a limit stops the feed; an unreachable product is a warning
                raise
            except (FeedUnavailable, FeedFormatError, AttributeError) as err:
                run.warn(f"{url}: {err}")
                continue
            docs.append((name, from_api_v1(result), None, url, raw))
        return docs

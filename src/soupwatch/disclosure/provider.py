"""Reading the CSAF provider directory: what the server answers under ``/.well-known/csaf/``
and what ``soupwatch advisory export-provider`` writes for a plain web server.

A caller sees the documents of the products it may see (``products`` None: all of them); the
server calls this for TLP:WHITE with None (public) and for the other labels with the
authenticated caller's products (docs/advisories.md).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch.disclosure import layout
from soupwatch.disclosure.settings import ProviderSettings
from soupwatch.disclosure.signing import KEY_DIRECTORY, provider_signer
from soupwatch.errors import NotFoundError, ReportError
from soupwatch.model.disclosure import PublishedDocument, Tlp
from soupwatch.store import provider_repo
from soupwatch.store.db import Store

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Served:
    """One answer of the directory: the bytes and their media type."""

    body: bytes
    media_type: str


def current_metadata(
    store: Store, settings: ProviderSettings, base_url: str, now: datetime
) -> dict[str, Any]:
    """provider-metadata.json: every TLP directory with a document (WHITE always);
    ``last_updated`` is the newest publish (``now`` before the first)."""
    with store.session() as session:
        docs = provider_repo.documents(session)
    publisher = {
        "category": settings.category,
        "name": settings.publisher,
        "namespace": settings.namespace,
        "contact_details": settings.contact_details,
    }
    base = (settings.base_url or base_url).rstrip("/")
    signer = provider_signer(settings)
    keys = [] if signer is None else [(signer.fingerprint, key_url(base, signer.fingerprint))]
    return layout.provider_metadata(
        base_url=base,
        publisher=publisher,
        tlps={d.tlp for d in docs},
        last_updated=max((d.published_at for d in docs), default=now),
        list_on_aggregators=settings.list_on_aggregators,
        mirror_on_aggregators=settings.mirror_on_aggregators,
        keys=keys,
    )


def key_url(base_url: str, fingerprint: str) -> str:
    """Where the public key of ``fingerprint`` is served."""
    return f"{base_url.rstrip('/')}{layout.WELL_KNOWN}/{KEY_DIRECTORY}/{fingerprint}.asc"


def public_key(settings: ProviderSettings, name: str) -> Served:
    """``/.well-known/csaf/openpgp/<name>``: the signing key's public part (``<FPR>.asc``)."""
    signer = provider_signer(settings)
    if signer is None or name != f"{signer.fingerprint}.asc":
        raise NotFoundError(f"no OpenPGP key {name!r}")
    return Served(signer.public_key.encode(), "application/pgp-keys")


def _visible(store: Store, tlp: Tlp, products: frozenset[str] | None) -> list[PublishedDocument]:
    with store.session() as session:
        return provider_repo.documents(session, tlp, products)


def _listing(title: str, names: Iterable[str]) -> Served:
    items = "".join(
        f'<li><a href="{html.escape(n, quote=True)}">{html.escape(n)}</a></li>' for n in names
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1><ul>{items}</ul></body></html>"
    )
    return Served(page.encode(), HTML)


def files_of(doc: PublishedDocument) -> dict[str, Served]:
    """The files one published document is served as: itself, its digests, its signature."""
    name = doc.path.rsplit("/", 1)[-1]
    out = {
        name: Served(doc.body, JSON),
        f"{name}.sha256": Served(layout.hash_file(doc.sha256, doc.path).encode(), TEXT),
        f"{name}.sha512": Served(layout.hash_file(doc.sha512, doc.path).encode(), TEXT),
    }
    if doc.signature:
        out[f"{name}.asc"] = Served(doc.signature.encode(), TEXT)
    return out


def directory_entry(store: Store, tlp: Tlp, path: str, products: frozenset[str] | None) -> Served:
    """What ``/.well-known/csaf/<tlp>/<path>`` answers: index.txt, changes.csv, a directory
    listing (``""``, ``<yyyy>/``), a document, its ``.sha256``/``.sha512``/``.asc``.
    NotFoundError for anything else (or a document the caller may not see)."""
    docs = _visible(store, tlp, products)
    if path == "index.txt":
        return Served(layout.index_txt(docs).encode(), TEXT)
    if path == "changes.csv":
        return Served(layout.changes_csv(docs).encode(), CSV)
    years = sorted({d.path.split("/", 1)[0] for d in docs})
    if path == "":
        return _listing(
            f"CSAF {tlp.value}", ["index.txt", "changes.csv", *(f"{y}/" for y in years)]
        )
    year, _, name = path.partition("/")
    in_year = [d for d in docs if d.path.startswith(f"{year}/")]
    if in_year and name == "":
        return _listing(f"CSAF {tlp.value} {year}", sorted(n for d in in_year for n in files_of(d)))
    for d in in_year:
        found = files_of(d).get(name)
        if found is not None:
            return found
    raise NotFoundError(f"no file {path!r} in the TLP:{tlp.value} directory")


def export_provider(
    store: Store,
    settings: ProviderSettings,
    directory: Path,
    *,
    base_url: str,
    tlps: tuple[Tlp, ...],
    now: datetime,
) -> list[Path]:
    """Write ``<directory>/.well-known/csaf/…`` for the ``tlps`` directories (the same files
    the server answers, listings left to the web server); the paths written, sorted."""
    root = directory / layout.WELL_KNOWN.strip("/")
    written: list[Path] = []

    def put(path: Path, body: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
        except OSError as err:
            raise ReportError(f"cannot write: {err.strerror}", path=str(path)) from err
        written.append(path)

    meta = current_metadata(store, settings, base_url, now)
    meta["distributions"] = [
        {"directory_url": layout.directory_url(settings.base_url or base_url, t)}
        for t in sorted({Tlp.WHITE, *tlps}, key=list(Tlp).index)
    ]
    put(root / layout.METADATA, layout.encode(meta))
    signer = provider_signer(settings)
    if signer is not None:
        put(root / KEY_DIRECTORY / f"{signer.fingerprint}.asc", signer.public_key.encode())
    for tlp in tlps:
        docs = _visible(store, tlp, None)
        put(root / tlp.directory / "index.txt", layout.index_txt(docs).encode())
        put(root / tlp.directory / "changes.csv", layout.changes_csv(docs).encode())
        for d in docs:
            folder = (root / tlp.directory / d.path).parent
            for name, served in files_of(d).items():
                put(folder / name, served.body)
    return sorted(written)

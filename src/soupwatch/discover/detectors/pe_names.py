"""What Windows version resources call a product, and what the product is: the one alias table.

A PE file's ``ProductName`` is free text ("The OpenSSL Toolkit", "The curl library", "NGHTTP2.").
Each entry maps that text (lower-cased, trailing dots and spaces removed), and where one product
name covers several libraries also the ``FileDescription`` (SDL's "Simple DirectMedia Layer" is
SDL, SDL_image, SDL_mixer …), to a canonical product: a binary signature's key, so the name and
CPE come from the one place that defines them, or an explicit name and CPE ``vendor:product``
(NVD naming) for products no signature covers. Names not in the table stay as written and say so.

Every entry was read from a real DLL (see ``tests/unit/discover/test_windows.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from soupwatch.discover.signatures import ALL_SIGNATURES
from soupwatch.discover.signatures.model import Signature


@dataclass(frozen=True, slots=True)
class Canonical:
    """A product as a signature names it (name, CPE ``vendor:product``); ``parts`` version
    fields kept (ICU and PostgreSQL count two)."""

    signature: Signature
    parts: int = 3

    @property
    def name(self) -> str:
        """The canonical product name."""
        return self.signature.product


_BY_KEY = {s.key: s for s in ALL_SIGNATURES}


def _sig(key: str, parts: int = 3) -> Canonical:
    return Canonical(_BY_KEY[key], parts)


def _named(key: str, product: str, cpe: str) -> Canonical:
    """A product no binary signature covers: name and CPE only, never scanned for."""
    return Canonical(Signature(key=key, product=product, cpe=cpe, anchors=(), version=b""))


ALIASES: dict[tuple[str, str | None], Canonical] = {
    ("the openssl toolkit", None): _sig("openssl"),
    ("the curl library", None): _sig("curl"),
    ("the libssh2 library", None): _sig("libssh2"),
    ("nghttp2", None): _sig("nghttp2"),
    ("zlib", None): _sig("zlib"),
    ("freetype", None): _sig("freetype"),
    ("international components for unicode", None): _sig("icu", parts=2),
    ("postgresql", None): _sig("postgresql", parts=2),
    ("simple directmedia layer", "sdl"): _named("sdl", "SDL", "libsdl:simple_directmedia_layer"),
    ("simple directmedia layer", "sdl_image"): _named("sdl_image", "SDL_image", "libsdl:sdl_image"),
    ("wavpack dynamic link library", None): _named("wavpack", "WavPack", "wavpack:wavpack"),
}
"""(ProductName, FileDescription or None for any) -> canonical product."""


def _key(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().rstrip(". ")).lower()


def canonical(product_name: str, file_description: str | None) -> Canonical | None:
    """The canonical product a version resource names, or None when the table has none."""
    name = _key(product_name)
    return ALIASES.get((name, _key(file_description))) or ALIASES.get((name, None))


def resource_version(text: str | None, parts: int | None = 3) -> str | None:
    """``2, 32, 10, 0`` -> ``2.32.10``; ``1.70.0.0 (MSVC release)`` -> ``1.70.0``.

    Commas become dots and a parenthesised note is dropped. For a canonical product (``parts``
    given) a fourth field (Windows' build or revision number, not part of the release number
    NVD and NuGet use) is dropped and trailing ``.0`` fields beyond ``parts`` are removed;
    ``parts=None`` keeps every field. Anything after the numbers (``1.11.1_DEV``) is kept: it
    is part of what was built.
    """
    if not text:
        return None
    v = re.sub(r"\([^)]*\)", "", text)
    v = re.sub(r"\s*,\s*", ".", v).strip()
    m = re.match(r"^(\d+(?:\.\d+)*)(.*)$", v)
    if not m or parts is None:
        return v or None
    fields, rest = m.group(1).split("."), m.group(2).strip()
    if len(fields) >= 4 and not rest:
        fields = fields[:3]
    while len(fields) > parts and fields[-1] == "0":
        fields.pop()
    return ".".join(fields) + rest

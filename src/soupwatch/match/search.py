"""What a portfolio component search asks for, and whether a component answers it.

Criteria (all given ones must hold): ``name`` a case-insensitive substring of the component
name; ``purl`` the same package (type, namespace, name; case-insensitive) and, when the purl
has a version, that version; ``cpe`` the same vendor and product and, when the CPE names a
version, that version; ``range`` a ``vers`` range the component version is in
(:mod:`soupwatch.match.vers`). The store narrows by what SQL can judge
(:mod:`soupwatch.store.component_search`); :meth:`ComponentCriteria.matches` decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from packageurl import PackageURL

from soupwatch.errors import MatchError
from soupwatch.match.cpe import ANY, NA, CpeName, parse_cpe
from soupwatch.match.vers import VersRange, parse_vers
from soupwatch.model.component import ComponentHit

MAX_TEXT = 512
"""The longest criterion accepted, in characters."""


def _purl_base(p: PackageURL) -> str:
    namespace = f"{p.namespace}/" if p.namespace else ""
    return f"pkg:{p.type}/{namespace}{p.name}".lower()


@dataclass(frozen=True, slots=True)
class ComponentCriteria:
    """A parsed component search."""

    name: str | None = None
    purl_base: str | None = None
    purl_version: str | None = None
    cpe: CpeName | None = None
    range: VersRange | None = None

    @property
    def cpe_words(self) -> str | None:
        """``:vendor:product:``, what a stored CPE must contain."""
        return None if self.cpe is None else f":{self.cpe.vendor}:{self.cpe.product}:"

    def matches(self, hit: ComponentHit) -> bool:
        """Whether the component answers every criterion."""
        if self.name and self.name.lower() not in hit.name.lower():
            return False
        if self.purl_base is not None and not self._purl_matches(hit.purl):
            return False
        if self.cpe is not None and not self._cpe_matches(hit.cpe, hit.version):
            return False
        return self.range is None or self.range.contains(hit.version)

    def _purl_matches(self, purl: str | None) -> bool:
        try:
            p = PackageURL.from_string(purl or "")
        except ValueError:
            return False
        if _purl_base(p) != self.purl_base:
            return False
        return self.purl_version is None or p.version == self.purl_version

    def _cpe_matches(self, cpe: str | None, version: str | None) -> bool:
        assert self.cpe is not None
        name = parse_cpe(cpe or "")
        if name is None or name.key != self.cpe.key:
            return False
        wanted = self.cpe.version
        if wanted in (ANY, NA):
            return True
        have = name.version if name.version not in (ANY, NA) else (version or "").lower()
        return have == wanted


def _checked(field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_TEXT:
        raise MatchError(f"{field}: longer than {MAX_TEXT} characters", where=field)
    return value.strip()


def parse_criteria(
    *,
    name: str | None = None,
    purl: str | None = None,
    cpe: str | None = None,
    range: str | None = None,
) -> ComponentCriteria:
    """The criteria of a search; a :class:`~soupwatch.errors.MatchError` naming the field
    that cannot be read, or when none is given."""
    name, purl, cpe, range = (
        _checked("name", name),
        _checked("purl", purl),
        _checked("cpe", cpe),
        _checked("range", range),
    )
    if not any((name, purl, cpe, range)):
        raise MatchError("search: give a name, purl, cpe or range", where="search")
    base = version = None
    if purl is not None:
        try:
            p = PackageURL.from_string(purl)
        except ValueError as err:
            raise MatchError(f"purl: {purl!r} is not a purl: {err}", where="purl") from err
        base, version = _purl_base(p), p.version
    parsed_cpe = None
    if cpe is not None:
        parsed_cpe = parse_cpe(cpe)
        if parsed_cpe is None:
            raise MatchError(
                f"cpe: {cpe!r} is not a CPE 2.3 name or 2.2 URI (cpe:2.3:a:vendor:product:…)",
                where="cpe",
            )
    vers = parse_vers(range) if range is not None else None
    return ComponentCriteria(name, base, version, parsed_cpe, vers)

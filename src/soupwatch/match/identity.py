"""What to look a component up by: its CPEs, OSV key and CNA products, each with how we know.

Order of trust: a CPE the SBOM states (0.95); a purl mapped to its upstream product by the
alias table (0.9); a name found in the alias table (0.8, 0.7 for a ``lib…`` so-version).
Every key a component has is looked up: a stated CPE never replaces the product its purl
names (generators such as syft, cdxgen and Trivy write guessed CPEs that no record uses).
Distribution packages are judged by their distro's advisories; only when the store holds no
advisory at all for the package does the matcher fall back to the upstream version (and says
that backports are then not considered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from soupwatch.match import aliases
from soupwatch.match.cpe import ANY, NA, CpeName, Platform, Target, parse_cpe
from soupwatch.match.osv import OsvKey, osv_key
from soupwatch.match.versions import (
    ParsedVersion,
    Unparsable,
    combine_update,
    parse_version,
    scheme_for_product,
)
from soupwatch.model import Component, ComponentRef, ComponentType

CONF_CPE = 0.95
CONF_PURL = 1.0


@dataclass(frozen=True, slots=True)
class CpeIdentity:
    """A CPE name to look up, the version to judge, and how the name was found."""

    name: CpeName
    version: str
    by: str
    confidence: float
    how: str

    def target(self) -> Target | Unparsable:
        """The name with its version parsed in the product's scheme."""
        parsed = parse_version(self.version, scheme_for_product(self.name.product))
        if isinstance(parsed, Unparsable):
            return parsed
        return Target(self.name, parsed)


@dataclass(frozen=True, slots=True)
class Identity:
    """Every key a component is looked up by."""

    cpes: tuple[CpeIdentity, ...]
    cna: tuple[tuple[str, str, str, float, str], ...]
    """(vendor, product, version, confidence, how) for CVE JSON 5 records."""
    osv: OsvKey | None
    target_sw: str | None = None


def upstream_version(version: str) -> str:
    """A distro version without epoch and revision (``1:3.0.7-25.el9`` → ``3.0.7``)."""
    v = version.split(":", 1)[1] if re.match(r"^\d+:", version) else version
    return v.rsplit("-", 1)[0] if "-" in v else v


def _cpes_of(c: Component) -> list[CpeName]:
    texts = [c.cpe] if c.cpe else []
    texts += [v for k, v in c.extra_identifiers if k.lower() == "cpe"]
    return [n for n in (parse_cpe(t) for t in texts) if n is not None]


def identify(c: Component) -> Identity:
    """The lookup keys of one component (cached on the fields that matter)."""
    extra = tuple(v for k, v in c.extra_identifiers if k.lower() == "cpe")
    return _identify(c.name, c.version, c.purl, c.cpe, extra)


@lru_cache(maxsize=100_000)
def _identify(
    name: str, version: str | None, purl: str | None, cpe: str | None, extra: tuple[str, ...]
) -> Identity:
    comp = Component(
        ref=ComponentRef(""),
        name=name,
        version=version,
        purl=purl,
        cpe=cpe,
        extra_identifiers=tuple(("cpe", e) for e in extra),
    )
    okey = osv_key(purl) if purl else None
    base_version = version or ""
    if okey and okey.distro:
        base_version = upstream_version(okey.version)
    elif okey:
        base_version = okey.version
    cpes: list[CpeIdentity] = []
    target_sw = None
    for n in _cpes_of(comp):
        v = combine_update(n.version, n.update) if n.version not in (ANY, NA) else base_version
        bare = CpeName(n.part, n.vendor, n.product, target_sw=n.target_sw, target_hw=n.target_hw)
        cpes.append(
            CpeIdentity(bare, v, "cpe", CONF_CPE, f"CPE stated in the SBOM: {n.formatted()}")
        )
        if n.target_sw not in (ANY, NA):
            target_sw = n.target_sw
    # the purl's (or name's) upstream product is looked up too, whatever CPEs the SBOM states:
    # generators (syft, cdxgen, Trivy) guess CPEs from package names, and a guessed CPE that no
    # record uses must not hide the product the purl names
    stated = {(i.name.key, i.version) for i in cpes}
    inferred = aliases.by_purl(purl) if purl else None
    if inferred is None and (purl is None or okey is None):
        inferred = aliases.by_name(name)
    if inferred is not None:
        for vendor, product in inferred.alias.cpes:
            if ((vendor, product), base_version) in stated:
                continue
            cpes.append(
                CpeIdentity(
                    CpeName(inferred.alias.part, vendor, product),
                    base_version,
                    "alias-cpe",
                    inferred.confidence,
                    inferred.how,
                )
            )
    cna: dict[tuple[str, str, str], tuple[str, str, str, float, str]] = {}
    for ident in cpes:
        alias = aliases.by_cpe(ident.name.key)
        for vendor, product in alias.cna if alias else ():
            entry = (vendor, product, ident.version, ident.confidence, ident.how)
            cna.setdefault((vendor, product, ident.version), entry)
    return Identity(tuple(cpes), tuple(cna.values()), okey, target_sw)


_TARGET_SW_PLATFORMS = {
    "linux": ("linux", "linux_kernel"),
    "windows": ("microsoft", "windows"),
    "android": ("google", "android"),
    "iphone_os": ("apple", "iphone_os"),
    "mac_os_x": ("apple", "mac_os_x"),
    "macos": ("apple", "macos"),
}


def platform_of(components: list[Component] | tuple[Component, ...]) -> Platform:
    """The platform a release's components run on: its operating-system components."""
    names: list[Target] = []
    described: list[str] = []
    for c in components:
        ident = identify(c)
        is_os = c.type in (ComponentType.OPERATING_SYSTEM, ComponentType.FIRMWARE)
        for cpe in ident.cpes:
            if cpe.name.part == "o" or (is_os and cpe.by == "cpe"):
                parsed = parse_version(cpe.version, scheme_for_product(cpe.name.product))
                names.append(
                    Target(
                        CpeName("o", cpe.name.vendor, cpe.name.product),
                        parsed if isinstance(parsed, ParsedVersion) else None,
                    )
                )
                described.append(f"{cpe.name.vendor}:{cpe.name.product} {cpe.version}".strip())
    if not names:
        return Platform()
    unique = tuple(dict.fromkeys(names))
    return Platform(unique, frozenset({"o"}), "runs on " + ", ".join(sorted(set(described))))


def with_target_sw(platform: Platform, target_sw: str | None) -> Platform:
    """The platform, told also by the component's own CPE ``target_sw``."""
    if not target_sw or target_sw not in _TARGET_SW_PLATFORMS:
        return platform
    vendor, product = _TARGET_SW_PLATFORMS[target_sw]
    names = (*platform.names, Target(CpeName("o", vendor, product), None))
    return Platform(
        names,
        platform.known_parts | {"o"},
        f"{platform.described}; the component's target_sw is {target_sw}",
    )

"""End of support: each component's level of support and end-of-support date, with its source.

The FDA's premarket guidance asks, for every SBOM component, its level of support and its
end-of-support date. We read them from endoflife.date (through the intelligence query's
``eol_products()``): the component is mapped to a product by identifier (purl, CPE, repology
name) or by a curated name, its version to a release cycle (``1.1.1k`` → ``1.1.1``, kernel
``5.10.201`` → ``5.10``), and the cycle's dates decide the level:

* ``eol`` passed (security support ended) → no longer maintained since that date;
* ``support`` passed (active support ended), ``eol`` not yet → security fixes only;
* neither → actively maintained until ``eol``.

A manual override (stored and audited) wins over the data, and an unknown level carries the
justification text the eSTAR asks for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from packageurl import PackageURL

from soupwatch.intel.interface import EolCycle, EolProduct
from soupwatch.model.assessment import SupportInfo
from soupwatch.model.component import Component, SupportLevel

CURATED_NAMES: dict[str, str] = {
    "openssl": "openssl",
    "libssl": "openssl",
    "libssl3": "openssl",
    "libcrypto": "openssl",
    "linux": "linux-kernel",
    "linux-kernel": "linux-kernel",
    "linux_kernel": "linux-kernel",
    "kernel": "linux-kernel",
    "linux-image": "linux-kernel",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "libsqlite3": "sqlite",
    "qt": "qt",
    "qtbase": "qt",
    "qt5": "qt",
    "qt6": "qt",
    "qt5-base": "qt",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "libpq": "postgresql",
    "python": "python",
    "cpython": "python",
    "python3": "python",
    "nodejs": "nodejs",
    "node": "nodejs",
    "node.js": "nodejs",
    "debian": "debian",
    "alpine": "alpine-linux",
    "alpine-linux": "alpine-linux",
    "ubuntu": "ubuntu",
    "rhel": "rhel",
    "yocto": "yocto",
    "poky": "yocto",
    "log4j": "log4j",
    "log4j-core": "log4j",
    "log4j-api": "log4j",
    ".net": "dotnet",
    "dotnet": "dotnet",
    ".net runtime": "dotnet",
    "dotnet-runtime": "dotnet",
    "microsoft.netcore.app": "dotnet",
    "microsoft.aspnetcore.app": "dotnet",
    "nginx": "nginx",
    "mysql": "mysql",
    "mysql-server": "mysql",
    "kafka": "apache-kafka",
    "apache-kafka": "apache-kafka",
}
"""Component names (lower case) → endoflife.date product, for SBOMs without identifiers."""

JAVA_SUPPLIERS: dict[str, str] = {
    "adoptium": "eclipse-temurin",
    "eclipse": "eclipse-temurin",
    "temurin": "eclipse-temurin",
    "amazon": "amazon-corretto",
    "corretto": "amazon-corretto",
    "azul": "azul-zulu",
    "red hat": "red-hat-build-of-openjdk",
    "redhat": "red-hat-build-of-openjdk",
    "microsoft": "microsoft-build-of-openjdk",
}
"""Supplier words → endoflife.date Java distribution (OpenJDK builds share the Oracle CPE)."""

ESTAR_UNKNOWN = (
    "Level of support and end-of-support date of {component} could not be established: {why}. "
    "The manufacturer states the support level from the supplier's published policy or, where "
    "none exists, justifies how it monitors and maintains this component itself (security "
    "updates taken from upstream, vulnerability monitoring through this tool) until the device's "
    "own end of support."
)
"""Justification text for an unknown support level, as the eSTAR cybersecurity section asks."""


@dataclass(frozen=True, slots=True)
class SupportOverride:
    """A manual support decision for a component of a product (stored in risk_tables, audited)."""

    product: str
    component: str
    level: SupportLevel
    justification: str
    author: str
    version: str | None = None
    end_of_support: date | None = None
    created: datetime | None = None

    def applies_to(self, component: Component) -> bool:
        """True when this override names the component (name case-insensitive, version if set)."""
        if self.component.lower() != component.name.lower():
            return False
        return self.version is None or self.version == component.version


def _purl_key(purl: str) -> tuple[str, str, str] | None:
    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        return None
    return (p.type.lower(), (p.namespace or "").lower(), p.name.lower())


def _cpe_key(cpe: str) -> tuple[str, str] | None:
    if cpe.startswith("cpe:2.3:"):
        parts = cpe.split(":")
        return (parts[3].lower(), parts[4].lower()) if len(parts) > 4 else None
    if cpe.startswith("cpe:/"):
        parts = cpe[5:].split(":")
        return (parts[1].lower(), parts[2].lower()) if len(parts) > 2 else None
    return None


def _identifiers(c: Component) -> list[tuple[str, str]]:
    ids = [("purl", c.purl)] if c.purl else []
    ids += [("cpe", c.cpe)] if c.cpe else []
    return ids + list(c.extra_identifiers)


def _java_distribution(component: Component, products: list[EolProduct]) -> EolProduct | None:
    """OpenJDK builds share one CPE; the supplier says whose build (and support policy) it is."""
    name = component.name.lower()
    if not any(word in name for word in ("openjdk", "jdk", "jre", "java")):
        return None
    who = f"{component.supplier or ''} {component.author or ''}".lower()
    for hint, product_name in JAVA_SUPPLIERS.items():
        if hint in who:
            return next((p for p in products if p.name == product_name), None)
    return None


_Found = tuple[EolProduct, str] | None

_FOUND_KEPT = 20_000
"""Components whose product :func:`find_product` keeps per process (for one products list)."""
_found: tuple[list[EolProduct], dict[tuple[object, ...], tuple[EolProduct, str] | None]] = ([], {})


def find_product(component: Component, products: list[EolProduct]) -> tuple[EolProduct, str] | None:
    """The endoflife.date product of a component, with how it was found.

    A pure function of the component's name, supplier, author and identifiers and of
    ``products``: answers are kept per process while the products list stays equal (a
    portfolio's releases share most components; parsing their purls and CPEs for each
    release was about a sixth of an assessment's time)."""
    global _found
    kept_for, kept = _found
    if products is not kept_for and products != kept_for:
        kept = {}
        _found = (products, kept)
    key = (
        component.name,
        component.supplier,
        component.author,
        component.purl,
        component.cpe,
        component.extra_identifiers,
    )
    if key in kept:
        return kept[key]
    if len(kept) >= _FOUND_KEPT:
        kept.clear()
    kept[key] = got = _find_product(component, products)
    return got


def _find_product(
    component: Component, products: list[EolProduct]
) -> tuple[EolProduct, str] | None:
    java = _java_distribution(component, products)
    if java is not None:
        return java, f"supplier {component.supplier or component.author!r} of a Java runtime"
    ids = _identifiers(component)
    for kind, key_of in (("purl", _purl_key), ("cpe", _cpe_key)):
        wanted = {key_of(v) for k, v in ids if k == kind} - {None}
        for product in products:
            for pk, pv in product.identifiers:
                if pk == kind and key_of(pv) in wanted:
                    return product, f"{kind} {pv}"
    name = component.name.lower()
    curated = CURATED_NAMES.get(name)
    if curated:
        for product in products:
            if product.name == curated:
                return product, f"curated name {component.name!r}"
    for product in products:
        if ("repology", name) in product.identifiers:
            return product, f"repology name {name!r}"
    return None


def find_cycle(version: str | None, cycles: tuple[EolCycle, ...]) -> EolCycle | None:
    """The release cycle of a version: the longest cycle that is a whole-part prefix of it."""
    if not version:
        return None
    v = version.strip().lstrip("vV").replace("_", ".")
    best: EolCycle | None = None
    for cycle in cycles:
        c = cycle.cycle
        whole = v == c or (v.startswith(c) and not v[len(c)].isdigit())
        if whole and (best is None or len(c) > len(best.cycle)):
            best = cycle
    return best


def _passed(value: date | bool | None, today: date) -> bool:
    return value is True or (isinstance(value, date) and value <= today)


def support_from_cycle(product: EolProduct, cycle: EolCycle, today: date) -> SupportInfo:
    """The level of support of a cycle on ``today``, with the claim's source in words."""
    eol = cycle.eol if isinstance(cycle.eol, date) else None
    where = f"endoflife.date {product.name} cycle {cycle.cycle}"
    if _passed(cycle.eol, today):
        level = SupportLevel.NO_LONGER_MAINTAINED
        source = f"{where}: eol {eol.isoformat() if eol else 'yes (date not stated)'}"
    elif _passed(cycle.support, today):
        level = SupportLevel.SECURITY_FIXES_ONLY
        ended = cycle.support.isoformat() if isinstance(cycle.support, date) else "yes"
        until = eol.isoformat() if eol else "not stated"
        source = f"{where}: active support ended {ended}, security fixes until {until}"
    else:
        level = SupportLevel.ACTIVELY_MAINTAINED
        source = f"{where}: supported until {eol.isoformat() if eol else 'no date announced'}"
    return SupportInfo(
        level=level,
        end_of_support=eol,
        source=source,
        cycle=cycle.cycle,
        latest_in_cycle=cycle.latest,
    )


def component_support(
    component: Component,
    products: list[EolProduct],
    today: date,
    overrides: tuple[SupportOverride, ...] = (),
) -> SupportInfo:
    """Support: override, then endoflife.date, then the SBOM's claim, else unknown + eSTAR text."""
    for o in overrides:
        if o.applies_to(component):
            when = o.created.date().isoformat() if o.created else "undated"
            return SupportInfo(
                level=o.level,
                end_of_support=o.end_of_support,
                source=f"manual override by {o.author} ({when})",
                justification=o.justification,
            )
    found = find_product(component, products)
    if found is None:
        why = "no endoflife.date product matches its name or identifiers"
    else:
        product, how = found
        cycle = find_cycle(component.version, product.cycles)
        if cycle is not None:
            info = support_from_cycle(product, cycle, today)
            stated = component.support_level
            if stated is not SupportLevel.UNKNOWN and stated is not info.level:
                info = replace(info, source=f"{info.source} (the SBOM states {stated.value})")
            return info
        why = (
            f"endoflife.date product {product.name} (matched by {how}) has no release cycle "
            f"for version {component.version or '(none)'}"
        )
    if component.support_level is not SupportLevel.UNKNOWN:
        stated_source = component.support_source or "no source given"
        return SupportInfo(
            level=component.support_level,
            end_of_support=component.end_of_support,
            source=f"stated in the SBOM ({stated_source})",
        )
    return SupportInfo(
        level=SupportLevel.UNKNOWN,
        end_of_support=None,
        source=None,
        justification=ESTAR_UNKNOWN.format(component=component.display, why=why),
    )


def support_finding(
    component: Component, info: SupportInfo, today: date, horizon_days: int
) -> str | None:
    """The support finding's text when the component is unsupported or soon unsupported."""
    if info.level in (SupportLevel.NO_LONGER_MAINTAINED, SupportLevel.ABANDONED):
        since = f" since {info.end_of_support.isoformat()}" if info.end_of_support else ""
        return f"{component.display} is {info.level.value}{since} ({info.source})"
    eos = info.end_of_support
    if eos is not None and today < eos <= today + timedelta(days=horizon_days):
        days = (eos - today).days
        return (
            f"{component.display} reaches end of support on {eos.isoformat()} (in {days} days; "
            f"{info.source})"
        )
    return None

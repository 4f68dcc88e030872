"""End of support from the real endoflife.date data: levels, cycles, sources, overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from soupwatch.intel.interface import EolProduct
from soupwatch.model.component import SupportLevel
from soupwatch.risk.support import (
    SupportOverride,
    component_support,
    find_cycle,
    find_product,
    support_finding,
)

TODAY = date(2026, 11, 28)


def test_openssl_111k_no_longer_maintained(
    eol_products: list[EolProduct], make_component: Any
) -> None:
    openssl = make_component("openssl", "1.1.1k")
    info = component_support(openssl, eol_products, TODAY)
    assert info.level is SupportLevel.NO_LONGER_MAINTAINED
    assert info.end_of_support == date(2023, 9, 11)
    assert info.cycle == "1.1.1" and info.latest_in_cycle == "1.1.1w"
    assert info.source == "endoflife.date openssl cycle 1.1.1: eol 2023-09-11"
    text = support_finding(openssl, info, TODAY, 365)
    assert text is not None and "no-longer-maintained since 2023-09-11" in text


def test_kernel_510_cycle_soon_unsupported(
    eol_products: list[EolProduct], make_component: Any
) -> None:
    kernel = make_component("linux-kernel", "5.10.201")
    info = component_support(kernel, eol_products, TODAY)
    assert info.cycle == "5.10"
    assert info.level is SupportLevel.ACTIVELY_MAINTAINED
    assert info.end_of_support == date(2026, 12, 31)
    text = support_finding(kernel, info, TODAY, 365)
    assert text is not None and "reaches end of support on 2026-12-31 (in 33 days" in text
    assert support_finding(kernel, info, TODAY, 30) is None


def test_cycle_is_a_whole_part_prefix(eol_products: list[EolProduct]) -> None:
    kernel = next(p for p in eol_products if p.name == "linux-kernel")
    cycle = find_cycle("5.4.0", kernel.cycles)
    assert cycle is not None and cycle.cycle == "5.4"
    cycle = find_cycle("v5.10.0", kernel.cycles)
    assert cycle is not None and cycle.cycle == "5.10"
    openssl = next(p for p in eol_products if p.name == "openssl")
    found = find_cycle("1.1.10", openssl.cycles)
    assert found is None or found.cycle != "1.1.1"


def test_mapping_by_identifiers(eol_products: list[EolProduct], make_component: Any) -> None:
    log4j = make_component(
        "log4j-core-renamed", "2.14.1", purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    )
    found = find_product(log4j, eol_products)
    assert found is not None and found[0].name == "log4j" and found[1].startswith("purl")
    pg = make_component("db", "13.4", cpe="cpe:2.3:a:postgresql:postgresql:13.4:*:*:*:*:*:*:*")
    found = find_product(pg, eol_products)
    assert found is not None and found[0].name == "postgresql" and found[1].startswith("cpe")
    info = component_support(pg, eol_products, TODAY)
    assert info.level is SupportLevel.NO_LONGER_MAINTAINED and info.end_of_support == date(
        2025, 11, 13
    )


def test_security_fixes_only(eol_products: list[EolProduct], make_component: Any) -> None:
    python = make_component("python", "3.12.4")
    info = component_support(python, eol_products, TODAY)
    assert info.level is SupportLevel.SECURITY_FIXES_ONLY
    assert info.source is not None and "active support ended 2025-04-02" in info.source
    assert info.end_of_support == date(2028, 10, 31)


def test_unknown_gives_estar_justification(
    eol_products: list[EolProduct], make_component: Any
) -> None:
    info = component_support(make_component("freertos", "10.4.3"), eol_products, TODAY)
    assert info.level is SupportLevel.UNKNOWN and info.source is None
    assert info.justification is not None
    assert "freertos 10.4.3" in info.justification
    assert "no endoflife.date product" in info.justification
    odd = component_support(make_component("openssl", None), eol_products, TODAY)
    assert odd.level is SupportLevel.UNKNOWN
    assert odd.justification is not None and "no release cycle" in odd.justification


def test_override_wins(eol_products: list[EolProduct], make_component: Any) -> None:
    override = SupportOverride(
        product="pump",
        component="OpenSSL",
        version="1.1.1k",
        level=SupportLevel.SECURITY_FIXES_ONLY,
        end_of_support=date(2028, 1, 1),
        justification="extended support contract with the OS vendor",
        author="qa@maker",
        created=datetime(2026, 11, 1),
    )
    info = component_support(make_component("openssl", "1.1.1k"), eol_products, TODAY, (override,))
    assert info.level is SupportLevel.SECURITY_FIXES_ONLY
    assert info.source == "manual override by qa@maker (2026-11-01)"
    assert info.justification == "extended support contract with the OS vendor"
    other = component_support(make_component("openssl", "3.0.2"), eol_products, TODAY, (override,))
    assert other.source is not None and other.source.startswith("endoflife.date")


def test_eol_data_beats_sbom_claim(eol_products: list[EolProduct], make_component: Any) -> None:
    claimed = make_component(
        "openssl",
        "1.1.1k",
        support_level=SupportLevel.ACTIVELY_MAINTAINED,
        support_source="https://www.openssl.org/policies/releasestrat.html",
    )
    info = component_support(claimed, eol_products, TODAY)
    assert info.level is SupportLevel.NO_LONGER_MAINTAINED
    assert info.source is not None and "(the SBOM states actively-maintained)" in info.source
    busybox = make_component("busybox", "1.33.1", support_level=SupportLevel.SECURITY_FIXES_ONLY)
    info = component_support(busybox, eol_products, TODAY)
    assert info.level is SupportLevel.SECURITY_FIXES_ONLY
    assert info.source == "stated in the SBOM (no source given)"


def test_java_build_by_supplier(eol_products: list[EolProduct], make_component: Any) -> None:
    temurin = make_component(
        "OpenJDK",
        "11.0.13",
        supplier="Eclipse Adoptium",
        cpe="cpe:2.3:a:oracle:openjdk:11.0.13:*:*:*:*:*:*:*",
    )
    found = find_product(temurin, eol_products)
    assert found is not None and found[0].name == "eclipse-temurin"
    info = component_support(temurin, eol_products, TODAY)
    assert info.source is not None and info.source.startswith("endoflife.date eclipse-temurin")
    oracle = make_component(
        "OpenJDK", "11.0.13", cpe="cpe:2.3:a:oracle:openjdk:11.0.13:*:*:*:*:*:*:*"
    )
    found = find_product(oracle, eol_products)
    assert found is not None and found[0].name == "openjdk-builds-from-oracle"

"""CycloneDX, OpenVEX and CSAF: schema-valid exports, lossless round-trips, real documents."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from soupwatch.errors import VexError
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.vex import csaf, cyclonedx_vex, openvex
from soupwatch.vex.document import ImportTarget, VexContext
from soupwatch.vex.exchange import WRITERS, detect, read_file

from .helpers import BLUEBORNE, HEARTBLEED, NOW

PUMP = "infusion-pump"
CTX = VexContext(
    product=PUMP, release="2.0.0", author="alice", now=NOW, manufacturer="Acme Medical"
)
T0 = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)

STATEMENTS = [
    VexStatement(
        vulnerability=HEARTBLEED,
        state=VexState.NOT_AFFECTED,
        scope=VexScope.PRODUCT,
        product=PUMP,
        component_name="openssl",
        component_version="1.0.1f",
        component_purl="pkg:generic/openssl/openssl@1.0.1f",
        justification=VexJustification.CODE_NOT_REACHABLE,
        detail="Built with -DOPENSSL_NO_HEARTBEATS.",
        author="alice",
        created=T0,
    ),
    VexStatement(
        vulnerability=BLUEBORNE,
        state=VexState.EXPLOITABLE,
        scope=VexScope.RELEASE,
        product=PUMP,
        release="2.0.0",
        component_name="bluez",
        component_version="5.46",
        component_purl="pkg:deb/debian/bluez@5.46",
        responses=(VexResponse.ROLLBACK, VexResponse.UPDATE),
        detail="Update bluez to 5.47 in the next maintenance release.",
        author="bob",
        created=T0,
        expires=date(2027, 1, 1),
    ),
    VexStatement(
        vulnerability="CVE-2016-2842",
        state=VexState.FALSE_POSITIVE,
        scope=VexScope.COMPONENT,
        component_name="openssl",
        component_version="1.0.1f",
        justification=VexJustification.PROTECTED_AT_PERIMETER,
        author="carol",
        created=T0,
        aliases=("GHSA-p8h3-8w3v-5c6r",),
    ),
    VexStatement(
        vulnerability="CVE-2023-0286",
        state=VexState.RESOLVED_WITH_PEDIGREE,
        scope=VexScope.PRODUCT,
        product=PUMP,
        component_name="zlib",
        component_version="1.2.11",
        author="alice",
        created=T0,
    ),
    VexStatement(
        vulnerability="CVE-2024-3596",
        state=VexState.IN_TRIAGE,
        scope=VexScope.PRODUCT,
        product=PUMP,
        author="alice",
        created=T0,
        detail="RADIUS use being checked.",
    ),
]

MODULES: dict[str, Any] = {"cyclonedx": cyclonedx_vex, "openvex": openvex, "csaf": csaf}


def _validate(fmt: str, doc: dict[str, Any], shared: Path) -> list[str]:
    if fmt == "cyclonedx":
        return cyclonedx_vex.validate(doc)
    return MODULES[fmt].validate(doc, shared / "schemas")  # type: ignore[no-any-return]


def _key(s: VexStatement) -> tuple[str, ...]:
    return (s.vulnerability, s.component_name or "", s.scope.value)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_export_is_schema_valid(fmt: str, shared: Path) -> None:
    doc = WRITERS[fmt](STATEMENTS, CTX)
    assert _validate(fmt, doc, shared) == []
    assert detect(doc, path="x") == fmt


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip_is_lossless(fmt: str, tmp_path: Path) -> None:
    first = WRITERS[fmt](STATEMENTS, CTX)
    path = tmp_path / f"vex.{fmt}.json"
    path.write_text(json.dumps(first))
    imported = read_file(path, ImportTarget())
    assert imported.format == fmt
    assert sorted(imported.statements, key=_key) == sorted(STATEMENTS, key=_key)
    assert WRITERS[fmt](list(imported.statements), CTX) == first


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_not_affected_appears_in_every_format(fmt: str) -> None:
    text = json.dumps(WRITERS[fmt](STATEMENTS[:1], CTX))
    assert HEARTBLEED in text and "openssl" in text
    native = {
        "cyclonedx": '"state": "not_affected"',
        "openvex": '"status": "not_affected"',
        "csaf": '"known_not_affected"',
    }[fmt]
    assert native in text


def test_native_fields_follow_the_mapping_table() -> None:
    ov = openvex.export(STATEMENTS, CTX)
    by_vuln = {s["vulnerability"]["name"]: s for s in ov["statements"]}
    assert by_vuln[HEARTBLEED]["justification"] == "vulnerable_code_not_in_execute_path"
    assert by_vuln[BLUEBORNE]["status"] == "affected"
    assert by_vuln["CVE-2016-2842"]["justification"] == (
        "vulnerable_code_cannot_be_controlled_by_adversary"
    )
    assert by_vuln["CVE-2023-0286"]["status"] == "fixed"
    cs = csaf.export(STATEMENTS, CTX)
    vulns = {v.get("cve"): v for v in cs["vulnerabilities"]}
    assert vulns[BLUEBORNE]["remediations"][0]["category"] == "vendor_fix"
    assert vulns[HEARTBLEED]["flags"][0]["label"] == "vulnerable_code_not_in_execute_path"
    assert vulns[HEARTBLEED]["threats"][0]["details"] == "Built with -DOPENSSL_NO_HEARTBEATS."


def test_foreign_openvex_uses_the_reverse_table(tmp_path: Path) -> None:
    doc = openvex.export(STATEMENTS[:2], CTX)
    for st in doc["statements"]:
        del st["status_notes"]
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(doc))
    got = {
        s.vulnerability: s for s in read_file(path, ImportTarget(product="ventilator")).statements
    }
    assert got[HEARTBLEED].state is VexState.NOT_AFFECTED
    assert got[HEARTBLEED].justification is VexJustification.CODE_NOT_REACHABLE
    assert got[HEARTBLEED].product == "ventilator" and got[HEARTBLEED].scope is VexScope.PRODUCT
    assert got[BLUEBORNE].state is VexState.EXPLOITABLE


def test_real_cyclonedx_vex(corpus: Path) -> None:
    path = corpus / "sboms" / "cdx-examples__VEX__vex.json"
    got = read_file(path, ImportTarget(product=PUMP, release="2.0.0"))
    assert len(got.statements) == 1
    s = got.statements[0]
    assert (s.vulnerability, s.state, s.justification) == (
        "CVE-2020-25649",
        VexState.NOT_AFFECTED,
        VexJustification.CODE_NOT_REACHABLE,
    )
    assert (s.component_name, s.component_version) == ("jackson-databind", "2.10.0")
    assert s.responses == (VexResponse.WILL_NOT_FIX, VexResponse.UPDATE)
    assert s.aliases == ("SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",)
    assert (s.scope, s.product, s.release) == (VexScope.RELEASE, PUMP, "2.0.0")


def test_real_cyclonedx_vex_without_product_is_refused(corpus: Path) -> None:
    with pytest.raises(VexError, match="--product"):
        read_file(corpus / "sboms" / "cdx-examples__VEX__vex.json", ImportTarget())


def _csaf_vex_examples(shared: Path) -> list[Path]:
    folder = shared / "schemas" / "examples" / "csaf-2.0"
    return sorted(
        p
        for p in folder.glob("*.json")
        if json.loads(p.read_text())["document"]["category"] == "csaf_vex"
    )


def test_real_csaf_vex_examples(shared: Path) -> None:
    examples = _csaf_vex_examples(shared)
    assert len(examples) == 13
    total = 0
    for path in examples:
        doc = json.loads(path.read_text())
        expected = sum(
            len(ids)
            for v in doc["vulnerabilities"]
            for k, ids in v["product_status"].items()
            if k != "recommended"
        )
        got = read_file(path, ImportTarget(product=PUMP))
        assert len(got.statements) == expected, path.name
        total += expected
    assert total > 40
    sec = read_file(
        shared / "schemas/examples/csaf-2.0/sec-vex-2022-0001.json", ImportTarget(product=PUMP)
    )
    s = sec.statements[0]
    assert (s.vulnerability, s.state, s.justification) == (
        "CVE-2021-44228",
        VexState.NOT_AFFECTED,
        VexJustification.CODE_NOT_PRESENT,
    )
    assert s.detail == "Secvisogram is written in JavaScript. No Java is included."
    assert (s.component_name, s.component_version) == ("Secvisogram", "<=1.14.0")
    assert any("version range" in w for w in sec.warnings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"spdxVersion": "SPDX-2.3"}', "not a VEX document"),
        ('{"bomFormat": "CycloneDX", "vulnerabilities": [{"analysis": {}}]}', "needs an id"),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": '
            '{"name": "CVE-2014-0160"}, "status": "broken", "products": [{"@id": '
            '"pkg:generic/openssl@1.0.1f"}]}]}',
            "unknown status",
        ),
    ],
)
def test_bad_documents_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(VexError, match=message) as info:
        read_file(path, ImportTarget(product=PUMP))
    assert str(path) in str(info.value)


def test_empty_export_is_refused() -> None:
    with pytest.raises(VexError, match="no VEX decisions"):
        openvex.export([], CTX)
    assert replace(CTX).product == PUMP

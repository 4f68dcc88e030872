"""Writers: schema-valid CycloneDX 1.6 and SPDX 2.3, NTIA/FDA fields, lossless round trip."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from soupwatch.model import (
    Component,
    ComponentRef,
    Evidence,
    Provenance,
    SbomDocument,
    SupportLevel,
)
from soupwatch.sbom import read, write

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NOW = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)
FILES = ["infusion-pump.cdx.json", "glucose-monitor.cdx.json", "imaging-workstation.spdx.json"]


def _spdx_schema() -> dict[str, object]:
    lib4sbom = pytest.importorskip(
        "lib4sbom", reason="the SPDX 2.3 JSON schema ships with lib4sbom"
    )
    path = Path(lib4sbom.__file__).parent / "schemas" / "spdx" / "2.3-schema.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", FILES)
def test_examples_export_schema_valid(name: str, tmp_path: Path) -> None:
    doc = read(EXAMPLES / name)
    cdx_json = write(doc, "cyclonedx-json", now=NOW)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx_json) is None
    assert (
        XmlValidator(SchemaVersion.V1_6).validate_str(write(doc, "cyclonedx-xml", now=NOW)) is None
    )
    spdx = write(doc, "spdx-json", now=NOW)
    import jsonschema

    jsonschema.validate(json.loads(spdx), _spdx_schema())
    out = tmp_path / "out.spdx.json"
    out.write_text(spdx)
    assert validate_full_spdx_document(parse_file(str(out))) == []


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml", "spdx-json"])
def test_examples_round_trip(name: str, fmt: str, tmp_path: Path) -> None:
    first = read(EXAMPLES / name)
    out = tmp_path / "out"
    out.write_text(write(first, fmt, now=NOW))
    second = read(out)
    assert _normal(second.components) == _normal(first.components)
    assert _normal((second.metadata_component,)) == _normal((first.metadata_component,))


def _normal(components: tuple[Component | None, ...]) -> dict[str, Component]:
    """Order-insensitive where CycloneDX keeps sets (properties, dependsOn)."""
    return {
        c.ref: c.with_changes(
            properties=tuple(sorted(c.properties)), depends_on=tuple(sorted(c.depends_on))
        )
        for c in components
        if c is not None
    }


def test_every_component_carries_ntia_and_fda_fields() -> None:
    data = json.loads(write(read(EXAMPLES / "infusion-pump.cdx.json"), "cyclonedx-json", now=NOW))
    assert data["metadata"]["timestamp"] == "2022-03-01T12:00:00+00:00"
    assert data["metadata"]["authors"] == [{"name": "soupwatch"}]
    comps = data["components"] + [
        c for top in data["components"] for c in top.get("components", [])
    ]
    assert len(comps) == 14
    for c in comps:
        props = {p["name"]: p["value"] for p in c["properties"]}
        assert c["supplier"]["name"] and c["name"] and c["version"] and c["purl"]
        assert props["soupwatch:support:level"] in {s.value for s in SupportLevel}
        assert "soupwatch:support:end-of-support" in props
    ssl = next(c for c in comps if c["name"] == "openssl")
    assert {p["name"]: p["value"] for p in ssl["properties"]}[
        "soupwatch:support:end-of-support"
    ] == "2023-09-11"
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    assert deps["openssl-1.1.1k"] == ["glibc-2.33", "zlib-1.2.11"]


def test_evidence_goes_to_occurrences_and_back(tmp_path: Path) -> None:
    ev = Evidence(
        detector="strings",
        location="rootfs/usr/lib/libssl.so.1.1",
        offset=4096,
        text="OpenSSL 1.1.1k  25 Mar 2021",
        confidence=0.9,
    )
    comp = Component(
        ref=ComponentRef("ssl"),
        name="openssl",
        version="1.1.1k",
        provenance=(Provenance("firmware.img", "binary-analysis", 0.9, (ev,)),),
        support_level=SupportLevel.ACTIVELY_MAINTAINED,
        end_of_support=date(2023, 9, 11),
        support_source="https://www.openssl.org/policies/releasestrat.html",
    )
    doc = SbomDocument(format="x", spec_version="x", components=(comp,), name="pump")
    text = write(doc, "cyclonedx-json", now=NOW)
    cdx = json.loads(text)["components"][0]
    assert cdx["evidence"]["occurrences"] == [
        {
            "location": "rootfs/usr/lib/libssl.so.1.1",
            "offset": 4096,
            "additionalContext": "OpenSSL 1.1.1k  25 Mar 2021",
        }
    ]
    assert cdx["evidence"]["identity"][0]["methods"][0]["technique"] == "binary-analysis"
    for fmt in ("cyclonedx-json", "cyclonedx-xml", "spdx-json"):
        out = tmp_path / f"o-{fmt}"
        out.write_text(write(doc, fmt, now=NOW))
        assert read(out).components == (comp,)


SCHEMA_CHECKED = [
    "libspdm__sbom.cdx.json",  # placeholder CPE the 1.6 XML schema refuses
    "bomshelter__flagger_1.18.0_sbom.spdx",  # Go CPEs with '/' the XML schema refuses
    "pl-dicom_anonymize__pl-dicom_anonymize.sbom.cdx.json",
    "cdx-examples__PCIe-SATA-adapter-board__bom.json",
    "cdx-examples__Protocol__bom.json",
    "spdx-spec__SPDXJSONExample-v2.3.spdx.json",
    "bomshelter__spdx-tern-rancher_machine-44a61a0a177e.json",
]


@pytest.mark.parametrize("name", SCHEMA_CHECKED)
def test_corpus_exports_schema_valid(corpus: Path, tmp_path: Path, name: str) -> None:
    doc = read(corpus / "sboms" / name)
    assert (
        JsonStrictValidator(SchemaVersion.V1_6).validate_str(write(doc, "cyclonedx-json")) is None
    )
    assert XmlValidator(SchemaVersion.V1_6).validate_str(write(doc, "cyclonedx-xml")) is None
    spdx = write(doc, "spdx-json")
    import jsonschema

    jsonschema.validate(json.loads(spdx), _spdx_schema())
    out = tmp_path / "out.spdx.json"
    out.write_text(spdx)
    assert validate_full_spdx_document(parse_file(str(out))) == []

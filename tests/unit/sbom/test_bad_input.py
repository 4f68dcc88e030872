"""Bad input: one clear error naming the file and the place, or a logged repair."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from soupwatch.errors import SbomFormatError
from soupwatch.sbom import read


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _cdx(components: Sequence[object], **extra: object) -> str:
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components, **extra},
        indent=2,
    )


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    p = _write(tmp_path, "bom.json", '{\n  "bomFormat": "CycloneDX"\n  "specVersion": "1.6"\n}')
    with pytest.raises(SbomFormatError) as err:
        read(p)
    assert str(err.value) == ("bom.json (line 3, column 3): invalid JSON: Expecting ',' delimiter")


def test_malformed_xml_names_line(tmp_path: Path) -> None:
    text = '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.4">\n<components>\n</bom>'
    with pytest.raises(SbomFormatError, match=r"bom.xml \(line 4, column \d+\): invalid XML"):
        read(_write(tmp_path, "bom.xml", text))


def test_unknown_cyclonedx_spec_version(tmp_path: Path) -> None:
    p = _write(tmp_path, "b.json", json.dumps({"bomFormat": "CycloneDX", "specVersion": "2.9"}))
    with pytest.raises(SbomFormatError, match=r"\$\.specVersion.*unsupported.*'2\.9'"):
        read(p)


def test_unknown_spdx_version(tmp_path: Path) -> None:
    p = _write(tmp_path, "s.json", json.dumps({"spdxVersion": "SPDX-9.9", "packages": []}))
    with pytest.raises(SbomFormatError, match=r"unsupported SPDX version 'SPDX-9.9'"):
        read(p)


def test_schema_violation_component_without_name(tmp_path: Path) -> None:
    p = _write(tmp_path, "b.json", _cdx([{"type": "library", "name": "a"}, {"type": "library"}]))
    with pytest.raises(
        SbomFormatError, match=r"b.json \(\$\.components\[1\]\): component has no name"
    ):
        read(p)


def test_schema_violation_components_not_a_list(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "b.json",
        json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {"name": "x"}}),
    )
    with pytest.raises(SbomFormatError, match=r"\(\$\.components\): 'components' must be a list"):
        read(p)


def test_xml_external_entity_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">'
        "<name>&xxe;</name></component></components></bom>"
    )
    with pytest.raises(SbomFormatError, match="XML refused: it declares entities"):
        read(_write(tmp_path, "xxe.xml", text))


def test_billion_laughs_refused(tmp_path: Path) -> None:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    text = f'<?xml version="1.0"?>\n<!DOCTYPE bom [{ents}]>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><x>&lol9;</x></bom>'
    with pytest.raises(SbomFormatError, match="XML refused"):
        read(_write(tmp_path, "lol.xml", text))


def test_huge_file_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "huge.json"
    with p.open("wb") as f:
        f.truncate((1 << 30) + 1)  # sparse: no disk used
    with pytest.raises(SbomFormatError, match=r"huge.json: file is 1,073,741,825 bytes, above the"):
        read(p)


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    p = _write(tmp_path, "b.json", _cdx([]))
    with pytest.raises(SbomFormatError, match="above the 10-byte limit"):
        read(p, max_bytes=10)


def test_non_utf8_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "latin1.json", b'{"bomFormat": "CycloneDX",\n "x": "caf' + b'\xe9"}')
    with pytest.raises(SbomFormatError, match=r"latin1.json \(line 2\): not UTF-8 text: byte 0xe9"):
        read(p)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SbomFormatError, match=r"empty\.json: empty file"):
        read(_write(tmp_path, "empty.json", "  \n"))


def test_not_an_sbom_scanoss(corpus: Path) -> None:
    with pytest.raises(SbomFormatError, match=r"keyed by 187 file paths.*SCANOSS scan results"):
        read(corpus / "sboms" / "bomshelter__bashrc2-sbom-cdx.json")


def test_not_an_sbom_other_json(tmp_path: Path) -> None:
    with pytest.raises(SbomFormatError, match=r"not an SBOM: a JSON object without bomFormat"):
        read(_write(tmp_path, "x.json", '{"name": "x"}'))


def test_duplicate_bom_refs_renamed_with_warning(tmp_path: Path) -> None:
    comps = [
        {"type": "library", "name": "a", "bom-ref": "r"},
        {"type": "library", "name": "b", "bom-ref": "r"},
    ]
    doc = read(
        _write(tmp_path, "d.json", _cdx(comps, dependencies=[{"ref": "r", "dependsOn": []}]))
    )
    assert [c.ref for c in doc.components] == ["r", "r#dup2"]
    assert doc.warnings == ("$.components[1]: duplicate ref 'r' renamed to 'r#dup2'",)


def test_cyclic_dependencies_kept_with_warning(tmp_path: Path) -> None:
    comps = [{"type": "library", "name": n, "bom-ref": n} for n in "abc"]
    deps = [
        {"ref": "a", "dependsOn": ["b"]},
        {"ref": "b", "dependsOn": ["c"]},
        {"ref": "c", "dependsOn": ["a"]},
    ]
    doc = read(_write(tmp_path, "c.json", _cdx(comps, dependencies=deps)))
    assert [c.depends_on for c in doc.components] == [("b",), ("c",), ("a",)]
    assert doc.warnings == ("dependency cycle kept: a → b → c → a",)


@pytest.mark.parametrize(
    "bom",
    [
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": ["x"]}]},
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": "x", "components": 5},
        {"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]},
        {"spdxVersion": "SPDX-2.3", "packages": "x"},
        {"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": {"a": 1}},
    ],
)
def test_odd_shapes_give_one_line_errors(tmp_path: Path, bom: dict[str, object]) -> None:
    with pytest.raises(SbomFormatError) as err:
        read(_write(tmp_path, "odd.json", json.dumps(bom)))
    assert str(err.value).startswith("odd.json")
    assert "\n" not in str(err.value)


def test_odd_but_readable_values_are_tolerated(tmp_path: Path) -> None:
    comps = [
        {
            "name": "a",
            "version": 3,
            "supplier": "ACME",
            "hashes": ["x", {"alg": "MD5"}],
            "licenses": ["MIT", {"license": {"name": "Custom"}}],
            "properties": [{"x": 1}],
            "type": "no-such-type",
            "components": [],
        }
    ]
    doc = read(_write(tmp_path, "ok.json", _cdx(comps, dependencies=[{"dependsOn": ["a"]}])))
    (c,) = doc.components
    assert (c.name, c.version, c.supplier, c.licenses, c.hashes) == (
        "a",
        "3",
        "ACME",
        ("Custom",),
        (),
    )
    assert doc.warnings == ("$.dependencies[0]: entry without ref ignored",)


def test_utf16_xml_with_bom_and_declared_encoding(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>'
        '<component type="library"><name>zlib</name><version>1.2.11</version></component>'
        "</components></bom>"
    )
    doc = read(_write(tmp_path, "utf16.xml", text.encode("utf-16")))
    assert [(c.name, c.version) for c in doc.components] == [("zlib", "1.2.11")]

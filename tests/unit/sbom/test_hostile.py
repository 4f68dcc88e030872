"""Hostile SBOMs (issue 15): each class ends in one line naming the limit, or imports in linear
time, and whatever is imported exports again (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.errors import SbomFormatError
from soupwatch.pipeline import export_sbom, import_sbom
from soupwatch.sbom import read
from soupwatch.store.db import Store
from tests.conftest import run_cli


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return p


def _cdx(components: object, **extra: object) -> str:
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components, **extra}
    )


def _refused(path: Path, *fragments: str, seconds: float = 2.0) -> str:
    start = time.process_time()
    with pytest.raises(SbomFormatError) as err:
        read(path)
    assert time.process_time() - start < seconds
    text = str(err.value)
    assert "\n" not in text and text.startswith(path.name)
    for fragment in fragments:
        assert fragment in text
    return text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "deep.xml",
            "<Document>" + "<packages>" * 100_000 + "</packages>" * 100_000 + "</Document>",
        ),
        ("flow600.yaml", "spdxVersion: SPDX-2.3\npackages: " + "[" * 600 + "]" * 600 + "\n"),
        ("flow100k.yaml", "spdxVersion: SPDX-2.3\npackages: " + "[" * 100_000 + "]" * 100_000),
        ("deep.json", '{"bomFormat": "CycloneDX", "components": ' + "[" * 100_000 + "]" * 100_000),
        ("deep200.json", _cdx(json.loads("[" * 200 + "]" * 200))),
    ],
)
def test_deep_nesting_is_refused_by_name(tmp_path: Path, name: str, text: str) -> None:
    _refused(_write(tmp_path, name, text), "max_depth", "SOUPWATCH_LIMIT_MAX_DEPTH")


def test_huge_numbers_are_refused_by_name(tmp_path: Path) -> None:
    digits = "1" + "0" * 100_000
    bom = '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","version":%s}]}'
    _refused(_write(tmp_path, "big.json", bom % digits), "100,001 digits", "max_number_digits")
    yml = "spdxVersion: SPDX-2.3\npackages:\n- name: a\n  SPDXID: SPDXRef-a\n  versionInfo: "
    yml += digits
    _refused(_write(tmp_path, "big.yaml", yml), "max_number_digits")


def test_a_50_mb_string_is_refused_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "long.json", _cdx([{"name": "a" * 50_000_000}]))
    _refused(path, "50,000,000 characters", "max_string_chars", seconds=5)


def test_limits_are_settable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "b.json", _cdx([{"name": f"c{i}"} for i in range(6)]))
    assert len(read(path).components) == 6
    monkeypatch.setenv("SOUPWATCH_LIMIT_MAX_COMPONENTS", "5")
    _refused(path, "6 components", "max_components=5")


@pytest.mark.parametrize(
    ("name", "text"),
    [("x.txt", "x" + "\n" * 100_000), ("decl.xml", "<?xml" + " " * 100_000)],
)
def test_format_sniffing_does_not_backtrack(tmp_path: Path, name: str, text: str) -> None:
    _refused(_write(tmp_path, name, text), seconds=1.0)


def test_syntax_errors_quoted_over_lines_stay_on_one_line(tmp_path: Path) -> None:
    ttl = '@prefix spdx: <http://spdx.org/rdf/terms#> .\n spdx:a spdx:b """\nfoo\nbar\n'
    assert "Bad syntax" in _refused(_write(tmp_path, "s.ttl", ttl), "invalid SPDX RDF/Turtle")
    yml = 'spdxVersion: SPDX-2.3\npackages: [\n  "a,\n  b\n'
    _refused(_write(tmp_path, "s.yaml", yml), "invalid YAML")


def test_fifo_and_devices_are_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    _refused(fifo, "a FIFO, not a regular file")
    with pytest.raises(SbomFormatError, match="a character device"):
        read("/dev/zero")


def test_lone_surrogates_and_nul_are_replaced_with_a_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "s.json", _cdx([{"name": "a\ud800b", "version": "1\x00", "bom-ref": "r"}])
    )
    doc = read(path)
    comp = doc.components[0]
    assert (comp.name, comp.version) == ("a\ufffdb", "1\ufffd")
    assert any("U+FFFD" in w and "2 string(s)" in w for w in doc.warnings)


@pytest.mark.slow
def test_large_graphs_import_in_linear_time(tmp_path: Path) -> None:
    """200,000 components, 50,000 sharing one bom-ref, a 20,000-long cycle and a 20,000-long
    SPDX containment chain: each well under the seconds a quadratic step took."""
    many = _cdx([{"name": f"c{i}", "version": "1", "bom-ref": f"r{i}"} for i in range(200_000)])
    same = _cdx([{"name": f"c{i}", "bom-ref": "same"} for i in range(50_000)])
    n = 20_000
    cycle = _cdx(
        [{"name": f"c{i}", "bom-ref": f"r{i}"} for i in range(n)],
        dependencies=[{"ref": f"r{i}", "dependsOn": [f"r{(i + 1) % n}"]} for i in range(n)],
    )
    chain = json.dumps(
        {
            "spdxVersion": "SPDX-2.3",
            "packages": [{"SPDXID": f"SPDXRef-{i}", "name": f"p{i}"} for i in range(n)],
            "relationships": [
                {
                    "spdxElementId": f"SPDXRef-{i}",
                    "relatedSpdxElement": f"SPDXRef-{(i + 1) % n}",
                    "relationshipType": "CONTAINS",
                }
                for i in range(n)
            ],
        }
    )
    budget = {"many.json": 15.0, "same.json": 4.0, "cycle.json": 4.0, "chain.json": 4.0}
    for name, text in (
        ("many.json", many),
        ("same.json", same),
        ("cycle.json", cycle),
        ("chain.json", chain),
    ):
        start = time.process_time()
        doc = read(_write(tmp_path, name, text))
        assert time.process_time() - start < budget[name], name
        if name == "same.json":
            assert len({c.ref for c in doc.components}) == 50_000
            assert sum("duplicate ref" in w for w in doc.warnings) <= 21
        if name == "chain.json":  # the edge closing the cycle is dropped, the rest kept
            assert sum(c.parent is not None for c in doc.components) == n - 1


def test_what_is_imported_exports_again(store: Store, tmp_path: Path) -> None:
    """NUL, lone surrogates and control characters never reach the store as such, so every
    export of the release works (they failed on PostgreSQL and in XML before)."""
    path = _write(
        tmp_path,
        "hostile.json",
        _cdx(
            [
                {
                    "name": "zlib\x00",
                    "version": "1.2.\ud800",
                    "bom-ref": "z",
                    "purl": "pkg:generic/zlib@1",
                },
                {"name": "ctl\x01\x1b", "version": "1", "description": "a\ufffeb", "bom-ref": "c"},
            ],
            metadata={"component": {"name": "Pump\udfff", "version": "1"}},
        ),
    )
    import_sbom(store, path, "Pump", "1.0")
    for fmt in ("cyclonedx-json", "cyclonedx-xml", "spdx-json"):
        text = export_sbom(store, "Pump", "1.0", fmt)
        assert "\x00" not in text and "\\u0000" not in text
        assert "\ufffd" in text or "\\ufffd" in text
        text.encode("utf-8")  # no lone surrogate left


def test_cli_import_of_a_hostile_file_exits_2_on_one_line(cli_env: object, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "deep.yaml", "spdxVersion: SPDX-2.3\npackages: " + "[" * 600 + "]" * 600
    )
    code, _out, err = run_cli("sbom", "import", str(path), "--product", "P", "--release", "1")
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "max_depth" in lines[0], err


def test_overlong_product_or_release_name_is_one_line_error(
    cli_env: Settings, corpus: Path
) -> None:
    """Names longer than the store's columns are refused before anything is written (on
    PostgreSQL they used to end in a DataError traceback)."""
    sbom = corpus / "sboms" / "libspdm__sbom.cdx.json"
    for args in (
        ("--product", "p" * 300, "--release", "1"),
        ("--product", "p", "--release", "1" * 300),
    ):
        code, _, err = run_cli("sbom", "import", str(sbom), *args)
        assert code == 2 and "characters" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1

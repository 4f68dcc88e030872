"""The 100k run's ``feed-kev`` input 88021 (a MemoryError): a KEV catalog whose records were
copied 50,000 times around a 100,000-digit number, 1.9 GB of JSON that no limit looked at before
``json.loads`` decoded it. It is rebuilt here in its shape at a small scale, with the limits
lowered to that scale (the real mutant is ``random.Random("feed-kev:88021")`` in
``scripts/fuzz.py``): both named limits refuse it before parsing, in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fuzz.harness import FAMILIES, run_one

RECORD = {
    "cveID": "CVE-2025-43300",
    "vendorProject": "Apple",
    "product": "Multiple Products",
    "notes": "@BIG@",
    "cwes": ["CWE-787"],
}


def _mutant_88021(copies: int) -> bytes:
    """The crasher's shape: one record, copied, its ``notes`` a 100,000-digit number."""
    record = json.dumps(RECORD).replace('"@BIG@"', "1" + "0" * 100_000)
    head = '{"title": "CISA Catalog of Known Exploited Vulnerabilities", "vulnerabilities": ['
    return (head + ", ".join([record] * copies) + "]}").encode()


def test_a_document_over_the_read_size_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUPWATCH_LIMIT_MAX_INPUT_BYTES", str(1024 * 1024))
    got = run_one(FAMILIES["feed-kev"], _mutant_88021(40), tmp_path)
    assert got.status == "refused", got.detail
    assert "SOUPWATCH_LIMIT_MAX_INPUT_BYTES" in got.detail


def test_a_document_of_too_many_values_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUPWATCH_LIMIT_MAX_JSON_VALUES", "10000")
    doc = b'{"vulnerabilities": [' + b", ".join([b"[]"] * 20_000) + b"]}"
    got = run_one(FAMILIES["feed-kev"], doc, tmp_path)
    assert got.status == "refused", got.detail
    assert "max_json_values" in got.detail and "\n" not in got.detail
    monkeypatch.delenv("SOUPWATCH_LIMIT_MAX_JSON_VALUES")
    assert run_one(FAMILIES["feed-kev"], doc, tmp_path).status != "crash"


def _mutant_eol_96722(copies: int, depth: int) -> bytes:
    """The 100k run's ``feed-eol`` input 96722 (peak 1.5 GB): the Linux kernel product with one
    release replaced by a 5,000-deep run of brackets, copied 50,000 times (500 MB, 250 million
    values). ``json.loads`` decoded the bytes to text (a third copy of them, after the caller's
    and the reader's) before its recursion limit refused the first run."""
    release = b'{"releaseCycle": "5.10", "lts": true, "eol": "2026-12-31", "latest": "5.10.265"}'
    deep = b"[" * depth + b"]" * depth
    return (
        b'{"title": "Linux Kernel", "releases": [' + b", ".join([release] + [deep] * copies) + b"]}"
    )


def test_a_deep_run_copied_in_a_feed_record_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = FAMILIES["feed-eol"]
    data = _mutant_eol_96722(copies=20, depth=1000)  # 40,002 values; the real one 250 million
    monkeypatch.setenv("SOUPWATCH_LIMIT_MAX_JSON_VALUES", "10000")
    got = run_one(family, data, tmp_path)
    assert got.status == "refused", got.detail
    assert "max_json_values" in got.detail and "\n" not in got.detail
    monkeypatch.delenv("SOUPWATCH_LIMIT_MAX_JSON_VALUES")
    got = run_one(family, data, tmp_path)  # within the value limit: the depth limit refuses it
    assert got.status == "refused", got.detail
    assert "max_depth" in got.detail


def test_the_real_catalog_parses_within_the_defaults(feeds: Path) -> None:
    from soupwatch.intel.kev import parse_catalog
    from soupwatch.intel.source import load_json

    path = feeds / "kev" / "known_exploited_vulnerabilities.json"
    warnings: list[str] = []
    catalog = parse_catalog(load_json(path.read_bytes(), path.name), path.name, warnings.append)
    assert len(catalog.entries) > 1000


@pytest.mark.parametrize("family", ["vex-cyclonedx", "sbom-cyclonedx-json"])
def test_values_are_counted_on_the_bytes_before_they_are_decoded(
    family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 100k run's ``vex-cyclonedx`` input 35465: a 500 MB document of some 250 million
    values, refused by max_json_values only after it was decoded to text, peaked at 1,097 MB
    (bytes and text at once). Counted on the bytes, it is refused first: here the bytes are not
    even UTF-8, and the value limit is what refuses them."""
    monkeypatch.setenv("SOUPWATCH_LIMIT_MAX_JSON_VALUES", "10000")
    data = b'{"bomFormat": "CycloneDX", "x": "\xff", "v": [' + b"[]," * 20_000 + b"[]]}"
    got = run_one(FAMILIES[family], data, tmp_path)
    assert got.status == "refused", got.detail
    assert "max_json_values" in got.detail and "\n" not in got.detail

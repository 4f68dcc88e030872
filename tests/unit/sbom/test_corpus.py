"""Every SBOM of the shared corpus reads with exactly the manifest's component count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soupwatch.errors import SbomFormatError
from soupwatch.sbom import read, write

_MANIFEST = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "sboms" / "manifest.json"
_ENTRIES = json.loads(_MANIFEST.read_text()) if _MANIFEST.is_file() else []


@pytest.mark.parametrize("entry", _ENTRIES, ids=[e["file"] for e in _ENTRIES])
def test_corpus_file_reads_with_manifest_count(corpus: Path, entry: dict[str, object]) -> None:
    path = corpus / "sboms" / str(entry["file"])
    if entry["component_count"] is None:
        with pytest.raises(SbomFormatError, match=r"not an SBOM.*SCANOSS"):
            read(path)
        return
    doc = read(path)
    assert len(doc.components) == entry["component_count"]
    assert doc.spec_version.removeprefix("SPDX-") == str(entry["spec_version"]).removeprefix(
        "SPDX-"
    )
    assert len({c.ref for c in doc.components}) == len(doc.components)
    detail = entry.get("count_detail")
    if str(entry["format"]).startswith("CycloneDX") and isinstance(detail, dict):
        assert sum(1 for c in doc.components if c.parent) == detail["nested"]


ROUND_TRIP = [
    "bomshelter__redis-commander-sbom-cdx.json",
    "bomshelter__mediawiki-cdx.xml",
    "bomshelter__ghidra-sbom-cdx.json",
    "cdx-spec__valid-evidence-1.6.json",
    "bomshelter__flagger_1.18.0_sbom.spdx",
    "spdx-spec__SPDXRdfExample-v2.2.spdx.rdf.ttl",
    "spdx-examples__example1.json",
    "libspdm__sbom.cdx.json",
    "spdx-spec__SPDXRdfExample-v2.3.spdx.rdf.xml",
    "bomshelter__spdx-tern-rancher_machine-44a61a0a177e.json",
]


@pytest.mark.parametrize("name", ROUND_TRIP)
@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml", "spdx-json"])
def test_corpus_round_trip_is_lossless(corpus: Path, tmp_path: Path, name: str, fmt: str) -> None:
    first = read(corpus / "sboms" / name)
    out = tmp_path / "out"
    out.write_text(write(first, fmt))
    second = read(out)
    assert _normal(second.components) == _normal(first.components)


def _normal(components: tuple[object, ...]) -> dict[str, object]:
    from soupwatch.model import Component

    out: dict[str, object] = {}
    for c in components:
        assert isinstance(c, Component)
        out[c.ref] = c.with_changes(
            properties=tuple(sorted(c.properties)),
            hashes=tuple(sorted(c.hashes, key=lambda h: (h.alg, h.value))),
            licenses=tuple(sorted(c.licenses)),
            extra_identifiers=tuple(sorted(c.extra_identifiers)),
            depends_on=tuple(sorted(c.depends_on)),
        )
    return out

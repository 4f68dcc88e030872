"""``soupwatch sbom generate`` on a real arm64 Debian root file system: the NTIA elements.

The root file system is nine real bookworm arm64 packages installed as dpkg would (data
extracted, control stanzas in ``var/lib/dpkg/status``, file lists in ``var/lib/dpkg/info``; no
maintainer script run), built once into the test cache (``DebCache.root_fs``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from soupwatch.discover import discover_path
from soupwatch.discover import elements as el
from tests.conftest import run_cli
from tests.debs import DebCache, upstream
from tests.quality.elf_sets import CASES

pytestmark = pytest.mark.slow

PACKAGES = (
    "base-files",
    "libc6",
    "zlib1g",
    "libssl3",
    "libcjson1",
    "libmosquitto1",
    "mosquitto",
    "libbluetooth3",
    "libpaho-mqtt1.3",
)


@pytest.fixture(scope="module")
def bom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = DebCache().root_fs(PACKAGES, "arm64", "bookworm")
    out = tmp_path_factory.mktemp("sbom") / "root.cdx.json"
    code, _, err = run_cli("sbom", "generate", str(root), "-o", str(out))
    assert code == 0, err
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    result: dict[str, Any] = json.loads(text)
    return result


def _props(c: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in c.get("properties", [])}


def test_every_component_has_supplier_hash_and_relationship_or_says_why(
    bom: dict[str, Any],
) -> None:
    assert bom["specVersion"] == "1.6"
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    subject = bom["metadata"]["component"]["bom-ref"]
    names = {c["name"] for c in bom["components"]}
    assert set(PACKAGES) <= names
    for c in bom["components"]:
        props = _props(c)
        assert (c.get("supplier") or {}).get("name") or props.get(el.WHY_NO_SUPPLIER), c["name"]
        assert c.get("hashes") or props.get(el.WHY_NO_HASH), c["name"]
        assert c["bom-ref"] in deps[subject], c["name"]
    assert bom["metadata"]["tools"] and bom["metadata"]["authors"] and bom["metadata"]["timestamp"]


def test_packages_carry_their_products_identity_and_elf_links(bom: dict[str, Any]) -> None:
    by = {c["name"]: c for c in bom["components"]}
    ref = {name: c["bom-ref"] for name, c in by.items()}
    # known only by soname: the package owning it gives the version, the CPE gets it
    assert by["libbluetooth3"]["cpe"].startswith("cpe:2.3:a:bluez:bluez:5.66:")
    # each package keeps its own files' product: the broker binary joins mosquitto, not the
    # library package that shares its source package
    assert by["mosquitto"]["cpe"].startswith("cpe:2.3:a:eclipse:mosquitto:2.0.11:")
    assert by["libmosquitto1"]["cpe"].startswith("cpe:2.3:a:eclipse:mosquitto:2.0.11:")
    # the file says 1.3.11, the package was built from 1.3.12: taken, and said
    paho = by["libpaho-mqtt1.3"]
    assert paho["cpe"].startswith("cpe:2.3:a:eclipse:paho_mqtt_c_client:1.3.12:")
    assert "1.3.11" in _props(paho)["soupwatch:discovery:conflict"]
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert {ref["libc6"], ref["libssl3"], ref["libmosquitto1"], ref["libcjson1"]} <= deps[
        ref["mosquitto"]
    ]
    assert {ref["libc6"], ref["libssl3"]} <= deps[ref["libpaho-mqtt1.3"]]
    hashes = {h["content"] for h in by["libssl3"]["hashes"]}
    assert len(hashes) >= 2  # libssl.so.3 and libcrypto.so.3 (and the engines)


def test_every_package_of_the_seeds_families_carries_its_products_cpe(tmp_path: Path) -> None:
    """An armhf root file system of every bookworm package of the quality cases (development
    set): each package component names its product's CPE at the package's upstream version."""
    cases = {c.package: c.product for c in CASES if "bookworm" in c.releases}
    root = DebCache().root_fs((*sorted(cases), "base-files", "libc6"), "armhf", "bookworm")
    out = tmp_path / "root.cdx.json"
    code, _, err = run_cli("sbom", "generate", str(root), "-o", str(out))
    assert code == 0, err
    bom = json.loads(out.read_text())
    by = {c["name"]: c for c in bom["components"]}
    wrong = []
    for package, product in sorted(cases.items()):
        c = by.get(package, {})
        cpe, version = c.get("cpe", ""), upstream(c.get("version", ""))
        if not cpe.startswith(f"cpe:2.3:a:{product}:{version}:"):
            wrong.append(f"{package} {c.get('version')}: {cpe or 'no CPE'}")
    assert not wrong


def test_an_opkg_root_fs_gets_the_same_ownership(tmp_path: Path) -> None:
    """OpenWrt and Yocto keep dpkg's layout under ``usr/lib/opkg`` (``status``, ``info/*.list``):
    the same real packages with their database moved there join their binaries the same way."""
    src = DebCache().root_fs(PACKAGES, "arm64", "bookworm")
    root = tmp_path / "root"
    shutil.copytree(src, root, symlinks=True, ignore=shutil.ignore_patterns("dpkg"))
    (root / "usr/lib/opkg").mkdir(parents=True)
    shutil.copyfile(src / "var/lib/dpkg/status", root / "usr/lib/opkg/status")
    shutil.copytree(src / "var/lib/dpkg/info", root / "usr/lib/opkg/info")
    doc = discover_path(root)
    by = {c.name: c for c in doc.components}
    ref = {name: c.ref for name, c in by.items()}
    assert (by["libbluetooth3"].purl or "").startswith("pkg:generic/libbluetooth3@5.66")
    assert (by["libbluetooth3"].cpe or "").startswith("cpe:2.3:a:bluez:bluez:5.66:")
    assert (by["mosquitto"].cpe or "").startswith("cpe:2.3:a:eclipse:mosquitto:2.0.11:")
    assert {ref["libssl3"], ref["libc6"]} <= set(by["libmosquitto1"].depends_on)
    assert by["libbluetooth3"].hashes and by["libssl3"].hashes

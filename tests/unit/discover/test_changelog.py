"""A package's own changelog versions its binaries: real Debian packages (development set).

``usr/share/doc/PACKAGE/changelog.Debian.gz`` names the source release the package's files were
built from. It versions a product the binary identifies without a version, and replaces a stale
patch-level constant in a tree that is one package; without it the binary's own word stands.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.changelog import VERSION_FROM
from soupwatch.discover.merge import CONFLICT
from soupwatch.model import Component
from tests.debs import DebCache, upstream

pytestmark = pytest.mark.slow


def _claims(root: Path, product: str) -> list[Component]:
    doc = discover_path(root)
    return [c for c in doc.components if c.cpe and f":{product}:" in c.cpe]


def _copy(src: Path, dest: Path, *, docs: bool = True) -> Path:
    ignore = None if docs else shutil.ignore_patterns("doc")
    shutil.copytree(src, dest, symlinks=True, ignore=ignore, dirs_exist_ok=True)
    return dest


def test_a_stale_version_constant_yields_to_the_packages_changelog(debs: DebCache) -> None:
    pkg = debs.unpacked("libpaho-mqtt1.3", "arm64", "bookworm")
    # what the binary really holds: 1.3.11 in its file name and its version text
    assert sorted(p.name for p in pkg.root.rglob("libpaho-mqtt3c.so.1.*")) == [
        "libpaho-mqtt3c.so.1.3.11"
    ]
    [paho] = _claims(pkg.root, "paho_mqtt_c_client")
    assert paho.version == upstream(pkg.version) == "1.3.12"
    assert paho.cpe is not None and ":1.3.12:" in paho.cpe
    assert "says Eclipse Paho MQTT C 1.3.11" in (paho.property(CONFLICT) or "")
    assert "changelog.Debian" in (paho.property(VERSION_FROM) or "")
    texts = [e.text or "" for p in paho.provenance for e in p.evidence]
    assert any(t.startswith("paho.mqtt.c (1.3.12-1) ") for t in texts)


def test_without_its_changelog_the_binary_says_what_it_holds(
    debs: DebCache, tmp_path: Path
) -> None:
    pkg = debs.unpacked("libpaho-mqtt1.3", "arm64", "bookworm")
    root = _copy(pkg.root, tmp_path / "root", docs=False)
    [paho] = _claims(root, "paho_mqtt_c_client")
    assert paho.version == "1.3.11"
    assert paho.property(CONFLICT) is None and paho.property(VERSION_FROM) is None


def test_a_tree_of_several_packages_leaves_a_stated_version_alone(
    debs: DebCache, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    _copy(debs.unpacked("libpaho-mqtt1.3", "armhf", "bookworm").root, root)
    _copy(debs.unpacked("libmosquitto1", "armhf", "bookworm").root, root)
    [paho] = _claims(root, "paho_mqtt_c_client")
    assert paho.version == "1.3.11"  # which changelog is the file's is not known here


def test_a_product_known_by_soname_only_takes_its_packages_version(
    debs: DebCache, tmp_path: Path
) -> None:
    pkg = debs.unpacked("libbluetooth3", "amd64", "bookworm")
    root = _copy(pkg.root, tmp_path / "root")
    # a libtool revision the release table does not know (a newer build): no version text left
    [lib] = [p for p in root.rglob("libbluetooth.so.3.*") if not p.is_symlink()]
    lib.rename(lib.with_name("libbluetooth.so.3.19.99"))
    [bare] = _claims(_copy(root, tmp_path / "bare", docs=False), "bluez")
    assert bare.version is None
    [bluez] = _claims(root, "bluez")
    assert bluez.version == upstream(pkg.version) == "5.66"
    assert bluez.cpe is not None and ":bluez:bluez:5.66:" in bluez.cpe
    assert "libbluetooth3/changelog.Debian" in (bluez.property(VERSION_FROM) or "")
    assert bluez.property(CONFLICT) is None

"""NTIA minimum elements in generated SBOMs, on real binaries and a real Debian package set.

* the example firmware: a root file system of the 37 real corpus binaries as a tar archive (as
  ``tests/e2e/test_run_cli.py`` builds one), no package database: suppliers come from the
  signatures' vendors, hashes from the files, relationships from ``DT_NEEDED``;
* a Debian root file system cut from this machine: the real dpkg stanzas, ``*.list`` files,
  os-release and libraries of eight installed packages;
* an ELF library nothing identifies becomes a ``file`` component with its hash.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from soupwatch.discover import discover_path
from soupwatch.discover import elements as el
from soupwatch.model import Component, Release, SbomDocument
from soupwatch.model.assessment import AssessedComponent, Assessment, SupportInfo
from soupwatch.model.component import SupportLevel
from soupwatch.model.product import SBOM_AUTHOR
from soupwatch.report.sections import quality
from soupwatch.sbom import read, write

NOW = datetime(2026, 12, 1, tzinfo=UTC)
HOST_PACKAGES = (
    "libcurl4",
    "libssl3",
    "zlib1g",
    "libnghttp2-14",
    "libzstd1",
    "libbrotli1",
    "libacl1",
    "libattr1",
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _by_name(doc: SbomDocument) -> dict[str, Component]:
    return {c.name: c for c in doc.components}


def _assessment(doc: SbomDocument) -> tuple[Assessment, Release]:
    """The release ``pipeline.store_document`` would store, and an assessment of it."""
    release = Release(
        product="device",
        version="1",
        components=doc.components,
        imported_at=NOW,
        source="firmware.tar",
        sbom_format=f"{doc.format} {doc.spec_version}",
        metadata_component=doc.metadata_component,
        properties=tuple((SBOM_AUTHOR, a) for a in doc.authors),
    )
    unknown = SupportInfo(SupportLevel.UNKNOWN, None, None)
    a = Assessment(
        product="device",
        release="1",
        profile_name=None,
        assessed_at=NOW,
        components=tuple(AssessedComponent(c, unknown, ()) for c in doc.components),
        findings=(),
        snapshot=(),
    )
    return a, release


@pytest.fixture(scope="module")
def firmware(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    root = tmp_path_factory.mktemp("firmware")
    manifest = json.loads((corpus / "binaries" / "manifest.json").read_text())
    target = root / "firmware.tar"  # uncompressed: gzip would only cost test time
    with tarfile.open(target, "w") as tar:
        for item in manifest:
            tar.add(corpus / "binaries" / item["file"], arcname=item["path_in_package"])
    return target


@pytest.fixture(scope="module")
def firmware_sbom(firmware: Path) -> tuple[SbomDocument, str]:
    doc = discover_path(firmware, clock=lambda: NOW)
    return doc, write(doc, "cyclonedx-json", now=NOW)


@pytest.mark.shared
def test_example_firmware_sbom_is_valid_cyclonedx_1_6(
    firmware_sbom: tuple[SbomDocument, str],
) -> None:
    _, text = firmware_sbom
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    data = json.loads(text)
    assert data["metadata"]["timestamp"] == "2026-12-01T00:00:00+00:00"
    assert data["metadata"]["tools"]["components"][0]["name"] == "soupwatch"
    assert data["metadata"]["authors"]


@pytest.mark.shared
def test_every_component_has_the_hash_of_the_files_it_was_read_from(
    firmware_sbom: tuple[SbomDocument, str], corpus: Path
) -> None:
    manifest = json.loads((corpus / "binaries" / "manifest.json").read_text())
    truth = {item["path_in_package"].lstrip("/"): item["sha256"] for item in manifest}
    doc, _ = firmware_sbom
    for c in doc.components:
        files = [v.split("  ", 1) for k, v in c.properties if k == el.FILE_HASH]
        assert files, c.display
        for digest, location in files:
            assert truth[location.split("!/", 1)[1]] == digest, location
        assert {h.value for h in c.hashes} == {d for d, _ in files}
    openssl = _by_name(doc)["OpenSSL"]  # libssl.so.3 and /usr/bin/openssl
    assert len(openssl.hashes) == 2


@pytest.mark.shared
def test_dt_needed_becomes_relationships_between_components(
    firmware_sbom: tuple[SbomDocument, str],
) -> None:
    doc, _ = firmware_sbom
    comps = _by_name(doc)

    def deps(name: str) -> set[str]:
        refs = {c.ref: c.name for c in doc.components}
        return {refs[d] for d in comps[name].depends_on}

    assert deps("nginx") == {"OpenSSL", "PCRE2", "zlib", "glibc"}
    assert deps("LibTIFF") >= {"libjpeg-turbo", "libwebp", "zlib", "Zstandard", "XZ Utils liblzma"}
    assert deps("FreeType") == {"glibc", "libpng", "zlib"}
    # libcrypto.so.3 is not in the image: said, not silently dropped
    assert "libcrypto.so.3" in (comps["nginx"].property(el.UNRESOLVED) or "")
    assert comps["glibc"].depends_on == ()


@pytest.mark.shared
def test_suppliers_come_from_the_signatures_vendor_and_say_so(
    firmware_sbom: tuple[SbomDocument, str],
) -> None:
    comps = _by_name(firmware_sbom[0])
    assert comps["OpenSSL"].supplier == "openssl"
    assert comps["nginx"].supplier == "f5"
    assert comps["nginx"].property(el.SUPPLIER_SOURCE) == "CPE vendor of the signature 'nginx'"
    assert all(c.supplier for c in comps.values())


@pytest.mark.shared
def test_report_quality_check_passes_ntia_on_the_example_firmware(
    firmware_sbom: tuple[SbomDocument, str], tmp_path: Path
) -> None:
    """Generated, written, read back as ``sbom import`` reads it, then checked."""
    _, text = firmware_sbom
    path = tmp_path / "firmware.cdx.json"
    path.write_text(text, encoding="utf-8")
    a, release = _assessment(read(path))
    rows = quality.build(a, release).rows
    assert len(rows) == 37
    assert [r for r in rows if r["ntia_missing"]] == []
    # CISA 2025 adds hash (filled) and licence (binaries state none)
    assert {r["cisa_missing"] for r in rows} == {"license"}
    doc_rows = {r["element"]: r["value"] for r in quality.build_document(release, a).rows}
    assert doc_rows["SBOM author / software producer"] == "soupwatch"
    assert doc_rows["Timestamp"] == "2026-12-01T00:00:00+00:00"


def test_a_leaf_is_related_by_its_inclusion_in_the_release(
    firmware_sbom: tuple[SbomDocument, str],
) -> None:
    """NTIA 2021: the relationship "upstream component X is included in software Y"."""
    doc, _ = firmware_sbom
    leaf = _by_name(doc)["Mbed TLS"].with_changes(depends_on=())
    a, release = _assessment(doc.__class__(**{**_fields(doc), "components": (leaf,)}))
    [alone] = quality.build(a).rows
    assert alone["ntia_missing"] == "dependency relationship"
    [included] = quality.build(a, release).rows
    assert included["ntia_missing"] is None


def _fields(doc: SbomDocument) -> dict[str, object]:
    return {f: getattr(doc, f) for f in doc.__dataclass_fields__}


@pytest.fixture(scope="module")
def debian_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight installed packages of this machine: their dpkg stanzas, file lists and libraries."""
    status = Path("/var/lib/dpkg/status")
    info = Path("/var/lib/dpkg/info")
    lists = {p: next(iter(sorted(info.glob(f"{p}[:.]*list"))), None) for p in HOST_PACKAGES}
    if not status.is_file() or not all(lists.values()):
        pytest.skip("needs a Debian system with " + ", ".join(HOST_PACKAGES))
    root = tmp_path_factory.mktemp("debian") / "root"
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copyfile("/etc/os-release", root / "etc/os-release")
    stanzas = status.read_text(encoding="utf-8").split("\n\n")
    keep = [s for s in stanzas if s.split("\n", 1)[0].removeprefix("Package: ") in HOST_PACKAGES]
    (root / "var/lib/dpkg/status").write_text("\n\n".join(keep) + "\n", encoding="utf-8")
    for listed in lists.values():
        assert listed is not None
        shutil.copyfile(listed, root / "var/lib/dpkg/info" / listed.name)
        for line in listed.read_text().splitlines():
            src = Path(line)
            if ".so" not in src.name or "/lib/" not in line:
                continue
            dest = root / line.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_symlink():
                dest.symlink_to(src.readlink())
            elif src.is_file():
                shutil.copyfile(src, dest)
    return root


@pytest.fixture(scope="module")
def debian_doc(debian_root: Path) -> SbomDocument:
    return discover_path(debian_root, clock=lambda: NOW)


def test_packages_get_maintainer_hashes_and_both_kinds_of_dependency(
    debian_doc: SbomDocument, debian_root: Path
) -> None:
    comps = _by_name(debian_doc)
    refs = {c.ref: c.name for c in debian_doc.components}
    curl = comps["libcurl4"]
    stanza = next(
        s
        for s in (debian_root / "var/lib/dpkg/status").read_text().split("\n\n")
        if s.startswith("Package: libcurl4\n")
    )
    maintainer = next(x for x in stanza.splitlines() if x.startswith("Maintainer: "))
    assert curl.supplier == maintainer.removeprefix("Maintainer: ")
    needed = {refs[d] for d in curl.depends_on}
    assert {"libssl3", "zlib1g", "libnghttp2-14", "libzstd1", "libbrotli1"} <= needed
    lib = next(debian_root.glob("usr/lib/*/libcurl.so.4.*"))
    assert lib.is_file() and not lib.is_symlink()
    assert _sha256(lib) in {h.value for h in curl.hashes}
    acl = comps["libacl1"]  # no signature knows it: its hash comes from its dpkg file list
    assert acl.hashes and acl.property(el.WHY_NO_HASH) is None
    assert acl.property(el.DEPENDS) is not None  # Depends: libc6 (not in this image)


def test_every_package_component_has_each_element_or_says_why(debian_doc: SbomDocument) -> None:
    subject = debian_doc.metadata_component
    assert subject is not None
    for c in debian_doc.components:
        assert c.supplier or c.property(el.WHY_NO_SUPPLIER), c.display
        assert c.hashes or c.property(el.WHY_NO_HASH), c.display
        assert c.ref in subject.depends_on
    text = write(debian_doc, "cyclonedx-json", now=NOW)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    os_comp = next(c for c in debian_doc.components if c.type.value == "operating-system")
    assert os_comp.supplier  # os-release NAME


def test_an_elf_library_nothing_identifies_is_a_file_component_with_its_hash(
    tmp_path: Path,
) -> None:
    src = Path("/usr/lib/x86_64-linux-gnu/libattr.so.1")
    if not src.exists():
        pytest.skip("libattr1 is not installed")
    real = src.resolve()
    dest = tmp_path / "root/usr/lib" / real.name
    dest.parent.mkdir(parents=True)
    shutil.copyfile(real, dest)
    doc = discover_path(tmp_path / "root", clock=lambda: NOW)
    [c] = doc.components
    digest = _sha256(real)
    assert (c.name, c.type.value, c.version) == (real.name, "file", None)
    assert c.property(el.SONAME) == "libattr.so.1"
    assert [h.value for h in c.hashes] == [digest]
    assert c.purl == f"pkg:generic/{real.name}?checksum=sha256:{digest}"
    assert c.property(el.WHY_NO_VERSION) and c.property(el.WHY_NO_SUPPLIER)
    assert "libc.so.6" in (c.property(el.UNRESOLVED) or "")


def test_package_dependency_fields_name_packages() -> None:
    from soupwatch.discover.detectors.dpkg import package_names

    depends = "libc6 (>= 2.34), libssl3 (>= 3.0.0) | libssl1.1, debconf:any [!hurd-i386]"
    assert package_names("dpkg (>= 1.15)", depends) == [
        "dpkg",
        "libc6",
        "libssl3",
        "libssl1.1",
        "debconf",
    ]


def test_apk_dependencies_and_maintainer(tmp_path: Path) -> None:
    db = tmp_path / "root/lib/apk/db/installed"
    db.parent.mkdir(parents=True)
    db.write_text(
        "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nm:Timo Teräs <timo.teras@iki.fi>\no:musl\n\n"
        "C:Q1def=\nP:busybox\nV:1.36.1-r5\nA:x86_64\n"
        "m:Sören Tempel <soeren+alpine@soeren-tempel.net>\no:busybox\n"
        "D:so:libc.musl-x86_64.so.1 musl>=1.2 /bin/sh\n\n"
        "C:Q1ghi=\nP:alpine-baselayout-data\nV:3.4.3-r1\nA:x86_64\n\n",
        encoding="utf-8",
    )
    (tmp_path / "root/etc").mkdir()
    (tmp_path / "root/etc/os-release").write_text('NAME="Alpine Linux"\nID=alpine\n')
    doc = discover_path(tmp_path / "root", clock=lambda: NOW)
    comps = _by_name(doc)
    assert comps["busybox"].depends_on == (comps["musl"].ref,)
    assert comps["busybox"].supplier == "Sören Tempel <soeren+alpine@soeren-tempel.net>"
    assert comps["musl"].property(el.WHY_NO_HASH)  # known from the database only
    layout = comps["alpine-baselayout-data"]  # no m: line: the distribution supplies it
    assert layout.supplier == "Alpine Linux"
    assert layout.property(el.SUPPLIER_SOURCE) == (
        "os-release NAME of the distribution that lists it"
    )

"""Language-ecosystem, PE and Go detectors on real files of this machine and lock-file samples."""

from __future__ import annotations

import re
import shutil
import sqlite3
import struct
import zipfile
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.detectors.golang import parse_buildinfo

VENV = Path(__file__).resolve().parents[3] / ".venv/lib/python3.11/site-packages"
SLF4J = Path("/usr/share/maven-repo/org/slf4j/slf4j-api/1.7.32/slf4j-api-1.7.32.jar")
LAUNCHER = VENV / "pip/_vendor/distlib/w64.exe"
GO_BINARY = Path("/usr/sbin/nats-server")


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


def _by_purl(root: Path) -> dict[str, str]:
    doc = discover_path(root)
    return {c.purl: c.provenance[0].evidence[0].location for c in doc.components if c.purl}


def test_installed_python_distribution(tmp_path: Path) -> None:
    src = next(VENV.glob("alembic-*.dist-info"))
    version = src.name.removeprefix("alembic-").removesuffix(".dist-info")
    dest = tmp_path / "app/lib/site-packages" / src.name
    dest.mkdir(parents=True)
    shutil.copyfile(src / "METADATA", dest / "METADATA")
    found = _by_purl(tmp_path / "app")
    assert found[f"pkg:pypi/alembic@{version}"] == f"lib/site-packages/{src.name}/METADATA"


def test_jar_nested_in_an_application_archive(tmp_path: Path) -> None:
    app = tmp_path / "app.zip"
    with zipfile.ZipFile(app, "w") as zf:
        zf.write(_need(SLF4J), "lib/slf4j-api-1.7.32.jar")
    found = _by_purl(app)
    assert found["pkg:maven/org.slf4j/slf4j-api@1.7.32"] == (
        "app.zip!/lib/slf4j-api-1.7.32.jar!/META-INF/maven/org.slf4j/slf4j-api/pom.properties"
    )


def test_pe_version_resource(tmp_path: Path) -> None:
    shutil.copyfile(_need(LAUNCHER), tmp_path / "w64.exe")
    (c,) = discover_path(tmp_path).components
    assert (c.name, c.version, c.supplier) == (
        "Simple Launcher",
        "1.1.0.14",
        "Simple Launcher User",
    )
    assert c.provenance[0].method == "pe-version"


def test_go_build_info_of_a_real_binary() -> None:
    data = _need(GO_BINARY).read_bytes()
    info = parse_buildinfo(data)
    assert info is not None
    _, go_version, modinfo = info
    assert re.fullmatch(r"go1\.\d+(\.\d+)?", go_version.split()[0])
    doc = discover_path(GO_BINARY)
    purls = {c.purl for c in doc.components if c.provenance[0].method == "go-buildinfo"}
    assert f"pkg:golang/stdlib@{go_version[2:].split()[0]}" in purls
    main = modinfo.splitlines()[0].split("\t")[1]
    assert any(c.name == main and c.type.value == "application" for c in doc.components)
    for line in modinfo.splitlines():
        if line.startswith("dep\t"):
            _, path, version, *_ = line.split("\t")
            name = path.rpartition("/")[2]
            assert any(p and p.endswith(f"/{name}@{version}") for p in purls), path


def test_go_module_list_is_parsed(tmp_path: Path) -> None:
    def vstr(text: str) -> bytes:
        return bytes([len(text)]) + text.encode()

    sentinel = b"0" * 16
    modinfo = (
        "path\texample.com/pump\nmod\texample.com/pump\tv1.4.0\th1:x=\n"
        "dep\tgolang.org/x/crypto\tv0.17.0\th1:y=\n"
    )
    blob = b"\x7fELF" + b"\x00" * 60 + b"\xff Go buildinf:" + b"\x08\x02" + b"\x00" * 16
    blob += vstr("go1.21.5") + bytes([len(modinfo) + 32]) + sentinel + modinfo.encode() + sentinel
    (tmp_path / "pumpd").write_bytes(blob + b"\x00" * 64)
    found = _by_purl(tmp_path)
    assert set(found) >= {
        "pkg:golang/stdlib@1.21.5",
        "pkg:golang/example.com/pump@v1.4.0",
        "pkg:golang/golang.org/x/crypto@v0.17.0",
    }


SAMPLES: list[tuple[str, str, str]] = [
    (
        "app/package-lock.json",
        '{"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/@types/node":'
        ' {"version": "20.11.5"}, "node_modules/express": {"version": "4.18.2"}}}',
        "pkg:npm/express@4.18.2",
    ),
    (
        "app/yarn.lock",
        '# yarn lockfile v1\n\n"lodash@^4.17.20", lodash@^4.17.21:\n  version "4.17.21"\n'
        '  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz"\n',
        "pkg:npm/lodash@4.17.21",
    ),
    (
        "app/pnpm-lock.yaml",
        "lockfileVersion: '6.0'\npackages:\n  /ms@2.1.3:\n    resolution: {integrity: sha512-x}\n",
        "pkg:npm/ms@2.1.3",
    ),
    (
        "app/node_modules/@scope/pkg/package.json",
        '{"name": "@scope/pkg", "version": "1.0.0"}',
        "pkg:npm/%40scope/pkg@1.0.0",
    ),
    (
        "svc/poetry.lock",
        '[[package]]\nname = "Requests"\nversion = "2.31.0"\n',
        "pkg:pypi/requests@2.31.0",
    ),
    (
        "svc/Pipfile.lock",
        '{"default": {"urllib3": {"version": "==2.0.7"}}, "develop": {}}',
        "pkg:pypi/urllib3@2.0.7",
    ),
    (
        "svc/requirements.txt",
        "# pinned\nDjango==4.2.7 ; python_version >= '3.8'\nflask>=2\n",
        "pkg:pypi/django@4.2.7",
    ),
    ("svc/pdm.lock", '[[package]]\nname = "idna"\nversion = "3.6"\n', "pkg:pypi/idna@3.6"),
    (
        "fw/Cargo.lock",
        '[[package]]\nname = "serde"\nversion = "1.0.193"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n',
        "pkg:cargo/serde@1.0.193",
    ),
    (
        "fw/conanfile.txt",
        "[requires]\nzlib/1.2.13\nopenssl/3.0.12@\n\n[generators]\nCMakeDeps\n",
        "pkg:conan/openssl@3.0.12",
    ),
    (
        "fw/conan.lock",
        '{"version": "0.5", "requires": ["mbedtls/2.28.4#abc%1700000000.0"]}',
        "pkg:conan/mbedtls@2.28.4",
    ),
    (
        "win/App.deps.json",
        '{"libraries": {"Newtonsoft.Json/13.0.1": {"type": "package"},'
        ' "App/1.0.0": {"type": "project"}}}',
        "pkg:nuget/Newtonsoft.Json@13.0.1",
    ),
    (
        "win/packages.lock.json",
        '{"version": 1, "dependencies": {"net6.0": {"Serilog":'
        ' {"type": "Direct", "resolved": "3.1.1"}}}}',
        "pkg:nuget/Serilog@3.1.1",
    ),
    (
        "win/packages.config",
        '<?xml version="1.0"?><packages><package id="log4net"'
        ' version="2.0.15" targetFramework="net48" /></packages>',
        "pkg:nuget/log4net@2.0.15",
    ),
    (
        "win/App.csproj",
        '<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference'
        ' Include="Dapper" Version="2.1.24" /></ItemGroup></Project>',
        "pkg:nuget/Dapper@2.1.24",
    ),
    (
        "java/gradle.lockfile",
        "# Gradle lock\ncom.google.guava:guava:32.1.3-jre=runtimeClasspath\n",
        "pkg:maven/com.google.guava/guava@32.1.3-jre",
    ),
    (
        "java/pom.xml",
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><dependencies>'
        "<dependency><groupId>org.bouncycastle</groupId><artifactId>bcprov-jdk18on</artifactId>"
        "<version>1.77</version></dependency></dependencies></project>",
        "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.77",
    ),
    (
        "var/lib/dpkg/status.d/tzdata",
        "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n",
        "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all",
    ),
    (
        "usr/lib/opkg/status",
        "Package: dropbear\nVersion: 2022.83-1\nStatus: install user installed\n"
        "Architecture: mipsel_24kc\n\nPackage: gone\nVersion: 1\n"
        "Status: deinstall ok config-files\n",
        "pkg:generic/dropbear@2022.83-1?arch=mipsel_24kc",
    ),
    (
        "lib/apk/db/installed",
        "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n",
        "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
    ),
    (
        "output/legal-info/manifest.csv",
        "PACKAGE,VERSION,LICENSE,LICENSE FILES,SOURCE ARCHIVE\n"
        '"dropbear","2022.83","MIT","LICENSE","dropbear-2022.83.tar.bz2"\n',
        "pkg:generic/dropbear@2022.83",
    ),
    (
        "deploy/license.manifest",
        "PACKAGE NAME: busybox\nPACKAGE VERSION: 1.36.1\n"
        "RECIPE NAME: busybox\nLICENSE: GPL-2.0-only & bzip2-1.0.4\n\n",
        "pkg:generic/busybox@1.36.1",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_lock_and_manifest_formats(tmp_path: Path, rel: str, text: str, expected: str) -> None:
    path = tmp_path / "tree" / rel
    path.parent.mkdir(parents=True)
    path.write_text(text)
    found = _by_purl(tmp_path / "tree")
    assert found.get(expected) == rel, sorted(found)


def test_malformed_lock_file_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text('{"packages": ')
    (tmp_path / "Cargo.lock").write_text("[[package]\nname=")
    doc = discover_path(tmp_path)
    assert doc.components == ()
    assert any("package-lock.json: unreadable" in w for w in doc.warnings)
    assert any("Cargo.lock: unreadable" in w for w in doc.warnings)


def _rpm_header(tags: dict[int, str]) -> bytes:
    index, data = b"", b""
    for tag, value in tags.items():
        index += struct.pack(">IIII", tag, 6, len(data), 1)
        data += value.encode() + b"\x00"
    return struct.pack(">II", len(tags), len(data)) + index + data


def test_rpm_sqlite_database(tmp_path: Path) -> None:
    db = tmp_path / "root/var/lib/rpm/rpmdb.sqlite"
    db.parent.mkdir(parents=True)
    (tmp_path / "root/etc").mkdir()
    (tmp_path / "root/etc/os-release").write_text('ID="rocky"\nVERSION_ID="9.3"\n')
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB)")
    header = _rpm_header({1000: "openssl-libs", 1001: "3.0.7", 1002: "24.el9", 1022: "x86_64"})
    con.execute("INSERT INTO Packages (blob) VALUES (?)", (header,))
    con.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\x00\x00\xff\xff",))
    con.commit()
    con.close()
    doc = discover_path(tmp_path / "root")
    (pkg,) = [c for c in doc.components if c.provenance[0].method == "rpm"]
    assert pkg.purl == "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3"
    assert any("header 2" in w for w in doc.warnings)

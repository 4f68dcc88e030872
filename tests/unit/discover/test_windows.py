"""Windows: PE version resources mapped to canonical products, .NET assemblies by metadata.

Real DLLs: five Windows wheels from PyPI and one Debian package of a .NET library (no NuGet
here), downloaded once into ``~/.cache/soupwatch-tests/`` at pinned versions; tests skip when
neither the cache nor the registry is there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.detectors.pe import UNMAPPED, PeDetector
from soupwatch.discover.detectors.pe_names import resource_version
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component
from tests.debs import skip_or_fail

CACHE = Path.home() / ".cache" / "soupwatch-tests"
WHEELS = {
    "pycurl": "7.49.0",
    "pygame": "2.6.1",
    "pysdl2-dll": "2.32.10",
    "psycopg2-binary": "2.9.13",
    "pythonnet": "3.2.1",
    "clr-loader": "0.3.1",
}
NEWTONSOFT = ("libnewtonsoft-json5.0-cil", "6.0.8+dfsg-1.1")

# The truth for every PE file of those wheels that has a version resource, read from the DLL
# with pefile and checked against the projects' release numbers: file-name prefix ->
# (canonical product, version) or None when the alias table has no product for it.
TRUTH: dict[str, dict[str, tuple[str, str] | None]] = {
    "pycurl": {
        "libcurl-": ("curl", "8.23.0"),
        "libcrypto-3-x64-": ("OpenSSL", "3.6.5"),
        "libssl-3-x64-": ("OpenSSL", "3.6.5"),
        "libssh2-": ("libssh2", "1.11.1_DEV"),
        "nghttp2-": ("nghttp2", "1.70.0"),
        "z-": ("zlib", "1.3.2"),
        "icudt78-": ("ICU", "78.3"),
        "icuuc78-": ("ICU", "78.3"),
        "msvcp140-": None,
    },
    "pygame": {
        "SDL2.dll": ("SDL", "2.28.4"),
        "SDL2_image.dll": ("SDL_image", "2.0.5"),
        "SDL2_mixer.dll": None,
        "SDL2_ttf.dll": None,
        "freetype.dll": ("FreeType", "2.11.1"),
        "zlib1.dll": ("zlib", "1.2.11"),
    },
    "pysdl2-dll": {
        "SDL2.dll": ("SDL", "2.32.10"),
        "SDL2_image.dll": ("SDL_image", "2.8.12"),
        "SDL2_mixer.dll": None,
        "SDL2_ttf.dll": None,
        "libwavpack-1.dll": ("WavPack", "5.6.0"),
    },
    "psycopg2-binary": {
        "libcrypto-3-x64-": ("OpenSSL", "3.6.4"),
        "libssl-3-x64-": ("OpenSSL", "3.6.4"),
        "libpq-": ("PostgreSQL", "18.4"),
    },
}


def _fetch(what: str, command: Sequence[str], folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as err:
        skip_or_fail(f"{what} is not cached and cannot be downloaded: {err}")
    found = sorted(folder.glob(pattern))
    if not found:
        skip_or_fail(f"{what}: download gave no {pattern}")
    return found[0]


@pytest.fixture(scope="session")
def wheels() -> dict[str, Path]:
    folder = CACHE / "win-wheels"
    out = {}
    for name, version in WHEELS.items():
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--platform"]
        pip += ["win_amd64", "--python-version", "3.11", "--only-binary=:all:"]
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        out[name] = _fetch(name, [*pip, f"{name}=={version}", "-d", "."], folder, pattern)
    return out


@pytest.fixture(scope="session")
def newtonsoft_deb() -> Path:
    name, version = NEWTONSOFT
    apt = shutil.which("apt-get") or "apt-get"
    return _fetch(name, [apt, "download", f"{name}={version}"], CACHE / "debs", f"{name}_*_all.deb")


def _dlls(wheel: Path) -> Path:
    """The wheel's DLLs, extracted once into the cache (a wheel is a zip; nothing else read)."""
    folder = CACHE / "win-dlls" / wheel.stem
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if info.filename.lower().endswith(".dll") and ".." not in info.filename:
                    dest = folder / info.filename
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(zf.read(info))
        done.touch()
    return folder


def _pe_components(wheel: Path) -> dict[str, Component]:
    """File name -> what the PE detector makes of it, for every DLL in the wheel."""
    detector = PeDetector()
    folder = _dlls(wheel)
    rels = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.dll"))
    entries = [FileEntry(folder / rel, rel, "", rel) for rel in rels]
    found = detector.detect(entries, entries).components
    return {c.provenance[0].evidence[0].location.rsplit("/", 1)[-1]: c for c in found}


def test_resource_versions_are_normalised() -> None:
    assert resource_version("2, 32, 10, 0") == "2.32.10"
    assert resource_version("1.70.0.0 (MSVC release)") == "1.70.0"
    assert resource_version("78, 3, 0, 0", parts=2) == "78.3"
    assert resource_version("6.0.8.18111") == "6.0.8"
    assert resource_version("1.11.1_DEV") == "1.11.1_DEV"
    assert resource_version("14.51.36260.0", parts=None) == "14.51.36260.0"  # unmapped: as is


@pytest.mark.slow  # reads 60 MB of DLLs
def test_pe_version_resources_map_to_canonical_identity(wheels: dict[str, Path]) -> None:
    right = mapped = unmapped = 0
    for wheel, truth in TRUTH.items():
        found = _pe_components(wheels[wheel])
        for prefix, expected in truth.items():
            [name] = [n for n in found if n.startswith(prefix)]
            c = found[name]
            if expected is None:
                unmapped += 1
                assert c.property(UNMAPPED) and not (c.cpe or c.purl), name
                continue
            mapped += 1
            assert (c.name, c.version) == expected, name
            assert c.cpe and c.cpe.split(":")[5] == expected[1], c.cpe
            right += 1
    # 23 PE files with a version resource: 18 canonical and right, 5 said to be unmapped
    assert (right, mapped, unmapped) == (18, 18, 5)


@pytest.mark.slow
def test_openssl_and_curl_carry_nvd_cpes_and_dll_imports_become_relationships(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    # pycurl's bundled DLLs, without the 30 MB ICU data file (scanning it only costs time)
    for dll in _dlls(wheels["pycurl"]).rglob("*.dll"):
        if not dll.name.startswith("icudt"):
            shutil.copyfile(dll, tmp_path / dll.name)
    doc = discover_path(tmp_path)
    comps = {c.name: c for c in doc.components}
    openssl, curl = comps["OpenSSL"], comps["curl"]
    assert openssl.cpe == "cpe:2.3:a:openssl:openssl:3.6.5:*:*:*:*:*:*:*"
    assert curl.cpe == "cpe:2.3:a:haxx:curl:8.23.0:*:*:*:*:*:*:*"
    assert curl.supplier == "The curl library, https://curl.se/"
    names = {c.ref: c.name for c in doc.components}
    # libcurl imports libssl/libcrypto, nghttp2, zlib and libssh2 by their delvewheel names
    assert {"OpenSSL", "nghttp2", "zlib"} <= {names[d] for d in curl.depends_on}
    msvc = comps["Microsoft® Visual Studio®"]
    assert msvc.cpe is None and msvc.purl is None
    assert "not in the PE alias table" in (msvc.property(UNMAPPED) or "")


@pytest.mark.slow
def test_dotnet_assemblies_from_a_wheel_are_read_from_their_metadata(
    wheels: dict[str, Path],
) -> None:
    found = _pe_components(wheels["pythonnet"])
    c = found["Python.Runtime.dll"]
    assert (c.name, c.version, c.purl) == (
        "Python.Runtime",
        "3.2.1",
        "pkg:nuget/Python.Runtime@3.2.1",
    )
    assert c.provenance[0].evidence[0].detector == "dotnet-assembly"
    assert c.property("soupwatch:dotnet:assembly-version") == "3.2.1.0"
    assert "netstandard 2.0.0.0" in (c.property("soupwatch:dotnet:references") or "")
    detector, folder = PeDetector(), _dlls(wheels["clr-loader"])
    loaders = [FileEntry(p, p.name, "", p.name) for p in sorted(folder.rglob("ClrLoader.dll"))]
    found_loaders = detector.detect(loaders, loaders).components
    assert [(x.name, x.version) for x in found_loaders] == [("ClrLoader", "1.0.0")] * 2


def test_dotnet_assembly_from_a_debian_package(newtonsoft_deb: Path) -> None:
    doc = discover_path(newtonsoft_deb)
    [asm] = [c for c in doc.components if any(p.method == "dotnet-assembly" for p in c.provenance)]
    # informational version 6.0.8.18111 (assembly version 6.0.0.0); the policy assembly beside
    # it only redirects versions and is not a component
    assert (asm.name, asm.version, asm.supplier) == ("Newtonsoft.Json", "6.0.8", "Newtonsoft")
    assert asm.purl == "pkg:nuget/Newtonsoft.Json@6.0.8"
    assert asm.hashes

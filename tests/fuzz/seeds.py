"""Fuzzing seeds: real inputs from ../shared (and the repo's examples) for each parser family.

Large corpus files are cut to their first elements so that one run stays fast; seeds that need a
tool or a conversion (SPDX YAML/XML/RDF/Turtle, file-system images) are cached under
``~/.cache/soupwatch-tests/fuzz/``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "soupwatch-tests" / "fuzz"
MAX_SEED_BYTES = 64 * 1024
"""Larger corpus files are cut to their first components so that one run stays fast."""


def shared() -> Path:
    """The shared data folder, as the test suite finds it (``SOUPWATCH_SHARED``)."""
    from tests.conftest import SHARED

    return SHARED


def files(folder: Path, pattern: str, limit: int = 12) -> list[Path]:
    return sorted(folder.glob(pattern))[:limit] if folder.is_dir() else []


def small_json(path: Path) -> bytes:
    """A corpus JSON file, its long lists cut so the seed stays under MAX_SEED_BYTES."""
    raw = path.read_bytes()
    if len(raw) <= MAX_SEED_BYTES:
        return raw
    data = json.loads(raw)
    for cut in (40, 10, 3, 1):
        cut_lists(data, cut)
        out = json.dumps(data).encode()
        if len(out) <= MAX_SEED_BYTES:
            return out
    return out


def cut_lists(node: Any, n: int) -> None:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            stack.extend(cur.values())
        elif isinstance(cur, list):
            del cur[n:]
            stack.extend(cur)


def small_xml(path: Path) -> bytes:
    """A corpus XML file with its components and dependencies cut to the first 20 of each list
    (cutting the bytes would leave every seed malformed)."""
    raw = path.read_bytes()
    if len(raw) <= MAX_SEED_BYTES:
        return raw
    import xml.etree.ElementTree as ET

    root = ET.fromstring(raw)  # our own corpus: trusted
    for parent in list(root.iter()):
        kids = [c for c in parent if c.tag.endswith(("}component", "}dependency"))]
        for child in kids[20:]:
            parent.remove(child)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def small_text(path: Path) -> bytes:
    raw = path.read_bytes()
    return raw if len(raw) <= MAX_SEED_BYTES else raw[:MAX_SEED_BYTES]


def corpus(match: Callable[[Path, bytes], bool], small: Callable[[Path], bytes]) -> list[bytes]:
    out = []
    for path in sorted((shared() / "corpus" / "sboms").glob("*")):
        if path.name == "README.md" or not path.is_file():
            continue
        head = path.read_bytes()[:4096]
        if match(path, head):
            out.append(small(path))
    return out


def is_cdx_json(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"{" and b"bomFormat" in head


def is_spdx_json(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"{" and b"spdxVersion" in head


def is_spdx3(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"{" and b"spdx.org/rdf/3" in head


def is_cdx_xml(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"<" and b"cyclonedx" in head


def is_tag_value(p: Path, head: bytes) -> bool:
    return b"SPDXVersion:" in head


@cache
def spdx_encodings() -> dict[str, bytes]:
    """SPDX YAML, XML, RDF/XML and Turtle seeds, written by spdx-tools from a real SPDX JSON
    (the corpus has none of these encodings); cached under ~/.cache/soupwatch-tests/."""
    folder = CACHE / "spdx-seeds"
    names = {"yaml": "seed.yaml", "xml": "seed.xml", "rdf": "seed.rdf.xml", "ttl": "seed.ttl"}
    if not all((folder / n).is_file() for n in names.values()):
        import rdflib
        from spdx_tools.spdx.parser.parse_anything import parse_file
        from spdx_tools.spdx.writer.write_anything import write_file

        folder.mkdir(parents=True, exist_ok=True)
        doc = parse_file(str(REPO / "examples" / "imaging-workstation.spdx.json"))
        for key in ("yaml", "xml", "rdf"):
            write_file(doc, str(folder / names[key]), validate=False)
        graph = rdflib.Graph()
        graph.parse(str(folder / names["rdf"]), format="xml")
        graph.serialize(str(folder / names["ttl"]), format="turtle")
    return {k: (folder / n).read_bytes() for k, n in names.items()}


def vex_seeds(kind: str) -> list[bytes]:
    if kind == "cyclonedx":
        return corpus(lambda p, h: p.name.endswith("vex.json"), small_json)
    if kind == "openvex":
        return [
            (
                REPO / "tests" / "golden" / "vex" / "two-decisions" / "expected.openvex.json"
            ).read_bytes()
        ]
    return [small_json(p) for p in files(shared() / "schemas" / "examples" / "csaf-2.0", "*.json")]


def gz_json_records(path: Path, key: str, n: int = 3) -> list[bytes]:
    """Pages of ``n`` records each from a gzipped NVD file."""
    if not path.is_file():
        return []
    doc = json.loads(gzip.decompress(path.read_bytes()))
    items = doc[key]
    out = []
    for start in range(0, min(len(items), 4 * n), n):
        page = dict(doc)
        page[key] = items[start : start + n]
        out.append(json.dumps(page).encode())
    return out


def cve5_seeds() -> list[bytes]:
    path = shared() / "feeds" / "cve5" / "cvelistV5-subset.zip"
    if not path.is_file():
        return []
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.rsplit("/", 1)[-1].startswith("CVE-"))
        return [archive.read(n) for n in names[:12]]


def osv_seeds() -> list[bytes]:
    found = sorted((shared() / "feeds" / "osv").rglob("*.json"))
    return [small_json(p) for p in found[:12]]


def epss_seeds() -> list[bytes]:
    path = REPO / "tests" / "unit" / "intel" / "data" / "epss_scores-2025-03-15.csv"
    return [b"\n".join(path.read_bytes().splitlines()[:40])]


def kev_seeds() -> list[bytes]:
    path = shared() / "feeds" / "kev" / "known_exploited_vulnerabilities.json"
    if not path.is_file():
        return []
    doc = json.loads(path.read_bytes())
    doc["vulnerabilities"] = doc["vulnerabilities"][:5]
    return [json.dumps(doc).encode()]


def eol_seeds() -> list[bytes]:
    return [small_json(p) for p in files(shared() / "feeds" / "eol" / "products", "*.json")]


def profile_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted((REPO / "examples").glob("*.profile.yaml"))]


def kconfig_seeds() -> list[bytes]:
    return [(REPO / "examples" / "infusion-pump.kconfig").read_bytes()]


@cache
def archive_seeds() -> list[bytes]:
    """A tar, a tar.gz, a zip and (when the tools are installed) squashfs and ext2 images of a
    small tree holding a real binary from the corpus."""
    folder = CACHE / "archive-seeds"
    folder.mkdir(parents=True, exist_ok=True)
    binaries = shared() / "corpus" / "binaries"
    sample = next(iter(sorted(binaries.rglob("busybox"))), None) if binaries.is_dir() else None
    payload = sample.read_bytes()[:200_000] if sample else b"\x7fELF" + b"\0" * 1000
    members = {
        "usr/bin/busybox": payload,
        "etc/os-release": b'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA": (
            b"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n"
        ),
    }
    out = []
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.append(buf.getvalue())
    out.append(gzip.compress(buf.getvalue(), mtime=0))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    out.append(zbuf.getvalue())
    images = {
        "seed.squashfs": ("mksquashfs", "{tree}", "{image}", "-noappend", "-quiet", "-no-progress"),
        "seed.ext2": ("mke2fs", "-q", "-F", "-t", "ext2", "-d", "{tree}", "{image}", "1M"),
    }
    for file_name, command in images.items():
        image = folder / file_name
        if not image.is_file():
            _build_image(members, command, image)
        if image.is_file():
            out.append(image.read_bytes())
    return out


def _build_image(members: dict[str, bytes], command: tuple[str, ...], image: Path) -> None:
    """Build a file-system image of ``members`` with a system tool, when it is installed."""
    import shutil
    import subprocess
    import tempfile

    tool = shutil.which(command[0])
    if tool is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in members.items():
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        args = [a.format(tree=tmp, image=image) for a in command[1:]]
        subprocess.run([tool, *args], check=True, capture_output=True)

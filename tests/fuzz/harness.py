"""The fuzzing harness: parser families, their seeds from the real corpus, structure-aware
mutators, and the property every input must meet.

The property: an input either parses, or raises the family's documented error (a
:class:`~soupwatch.errors.SoupwatchError` subclass) whose message is one line — never another
exception, never more than :data:`MAX_SECONDS`. ``tests/fuzz/test_fuzz.py`` drives it with
Hypothesis on a small budget; ``scripts/fuzz.py`` runs 100,000 inputs per family and prints
counts, tracebacks, slow runs and peak memory (docs/reliability.md).

Mutations are chosen by a :class:`random.Random` (Hypothesis supplies one, so failures shrink
and replay): JSON seeds are parsed and mutated as trees (hostile values put in place of real
ones: 100,000-deep nesting, 10^100000, lone surrogates, NUL, 5 MB strings, wrong types,
50,000 copies of one element), text seeds are mutated by lines and tokens, binary seeds
(archives, images) by flipped, cut and repeated bytes.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import random
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from soupwatch.errors import (
    ConfigError,
    DiscoveryError,
    FeedError,
    RiskError,
    SbomError,
    SoupwatchError,
    VexError,
)

logging.getLogger("rdflib").setLevel(logging.ERROR)  # it warns about every bad URI it meets

MAX_SECONDS = 10.0
"""No input may take longer than this (the issue's bound)."""
REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "soupwatch-tests" / "fuzz"
MAX_SEED_BYTES = 64 * 1024
"""Larger corpus files are cut to their first components so that one run stays fast."""


def shared() -> Path:
    """The shared data folder, as the test suite finds it (``SOUPWATCH_SHARED``)."""
    from tests.conftest import SHARED

    return SHARED


@dataclass(frozen=True)
class Family:
    """One parser family: how to get seeds, how to mutate them, how to run the parser."""

    name: str
    suffix: str
    kind: str
    """``json``, ``text`` or ``binary``: which mutator fits the seeds."""
    seeds: Callable[[], list[bytes]]
    run: Callable[[Path], object]
    errors: tuple[type[SoupwatchError], ...]
    """What the parser may raise: the stage's documented errors."""


# --- seeds -----------------------------------------------------------------------------------


def _files(folder: Path, pattern: str, limit: int = 12) -> list[Path]:
    return sorted(folder.glob(pattern))[:limit] if folder.is_dir() else []


def _small_json(path: Path) -> bytes:
    """A corpus JSON file, its long lists cut so the seed stays under MAX_SEED_BYTES."""
    raw = path.read_bytes()
    if len(raw) <= MAX_SEED_BYTES:
        return raw
    data = json.loads(raw)
    for cut in (40, 10, 3, 1):
        _cut_lists(data, cut)
        out = json.dumps(data).encode()
        if len(out) <= MAX_SEED_BYTES:
            return out
    return out


def _cut_lists(node: Any, n: int) -> None:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            stack.extend(cur.values())
        elif isinstance(cur, list):
            del cur[n:]
            stack.extend(cur)


def _small_text(path: Path) -> bytes:
    raw = path.read_bytes()
    return raw if len(raw) <= MAX_SEED_BYTES else raw[:MAX_SEED_BYTES]


def _corpus(match: Callable[[Path, bytes], bool], small: Callable[[Path], bytes]) -> list[bytes]:
    out = []
    for path in sorted((shared() / "corpus" / "sboms").glob("*")):
        if path.name == "README.md" or not path.is_file():
            continue
        head = path.read_bytes()[:4096]
        if match(path, head):
            out.append(small(path))
    return out


def _is_cdx_json(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"{" and b"bomFormat" in head


def _is_spdx_json(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"{" and b"spdxVersion" in head


def _is_spdx3(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"{" and b"spdx.org/rdf/3" in head


def _is_cdx_xml(p: Path, head: bytes) -> bool:
    return head.lstrip()[:1] == b"<" and b"cyclonedx" in head


def _is_tag_value(p: Path, head: bytes) -> bool:
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


def _vex_seeds(kind: str) -> list[bytes]:
    if kind == "cyclonedx":
        return _corpus(lambda p, h: p.name.endswith("vex.json"), _small_json)
    if kind == "openvex":
        return [
            (
                REPO / "tests" / "golden" / "vex" / "two-decisions" / "expected.openvex.json"
            ).read_bytes()
        ]
    return [
        _small_json(p) for p in _files(shared() / "schemas" / "examples" / "csaf-2.0", "*.json")
    ]


def _gz_json_records(path: Path, key: str, n: int = 3) -> list[bytes]:
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


def _cve5_seeds() -> list[bytes]:
    path = shared() / "feeds" / "cve5" / "cvelistV5-subset.zip"
    if not path.is_file():
        return []
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.rsplit("/", 1)[-1].startswith("CVE-"))
        return [archive.read(n) for n in names[:12]]


def _osv_seeds() -> list[bytes]:
    found = sorted((shared() / "feeds" / "osv").rglob("*.json"))
    return [_small_json(p) for p in found[:12]]


def _epss_seeds() -> list[bytes]:
    path = REPO / "tests" / "unit" / "intel" / "data" / "epss_scores-2025-03-15.csv"
    return [b"\n".join(path.read_bytes().splitlines()[:40])]


def _kev_seeds() -> list[bytes]:
    path = shared() / "feeds" / "kev" / "known_exploited_vulnerabilities.json"
    if not path.is_file():
        return []
    doc = json.loads(path.read_bytes())
    doc["vulnerabilities"] = doc["vulnerabilities"][:5]
    return [json.dumps(doc).encode()]


def _eol_seeds() -> list[bytes]:
    return [_small_json(p) for p in _files(shared() / "feeds" / "eol" / "products", "*.json")]


def _profile_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted((REPO / "examples").glob("*.profile.yaml"))]


def _kconfig_seeds() -> list[bytes]:
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


# --- running the parsers ---------------------------------------------------------------------


def _sbom(path: Path) -> object:
    from soupwatch.sbom import read

    return read(path)


def _vex(path: Path) -> object:
    from soupwatch.vex.document import ImportTarget
    from soupwatch.vex.exchange import read_file

    return read_file(path, ImportTarget(product="fuzz", release="1.0"))


def _feed(parse: Callable[[Any, str], object]) -> Callable[[Path], object]:
    def run(path: Path) -> object:
        from soupwatch.intel.source import load_json

        return parse(load_json(path.read_bytes(), path.name), path.name)

    return run


def _epss(path: Path) -> object:
    from soupwatch.intel.epss import parse_csv
    from soupwatch.intel.source import maybe_gunzip

    data = maybe_gunzip(path.read_bytes(), path.name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the feed warns and keeps its data (intel/epss.py)
    return parse_csv(text, path.name, lambda _m: None)


def _nvd2(doc: Any, where: str) -> object:
    from soupwatch.intel.nvd import parse_page

    return parse_page(doc, where, lambda _m: None)


def _nvd1(doc: Any, where: str) -> object:
    from soupwatch.intel.nvd_legacy import parse_feed

    return parse_feed(doc, where, lambda _m: None)


def _cve5(doc: Any, where: str) -> object:
    from soupwatch.intel.cve5 import parse_record

    return parse_record(doc, where)


def _osv(doc: Any, where: str) -> object:
    from soupwatch.intel.osv import parse_advisory

    return parse_advisory(doc, where, "PyPI")


def _kev(doc: Any, where: str) -> object:
    from soupwatch.intel.kev import parse_catalog

    return parse_catalog(doc, where, lambda _m: None)


def _eol(doc: Any, where: str) -> object:
    from soupwatch.intel.eol import parse_product

    return parse_product("product", doc, None, where, lambda _m: None)


def _profile(path: Path) -> object:
    from soupwatch.risk.profile import load_profile

    return load_profile(path)


def _kconfig(path: Path) -> object:
    from soupwatch.triage.kconfig import load_config

    return load_config(path)


def _archive(path: Path) -> object:
    from soupwatch.discover import discover_path

    return discover_path(path)


def _enc(key: str) -> Callable[[], list[bytes]]:
    return lambda: [spdx_encodings()[key]]


_NVD2 = ("nvd", "nvdcve-2.0-subset-0001.json.gz", "vulnerabilities")
_NVD1 = ("nvd-1.1", "nvdcve-1.1-2017-subset.json.gz", "CVE_Items")


def _nvd_seeds(folder: str, name: str, key: str) -> Callable[[], list[bytes]]:
    return lambda: _gz_json_records(shared() / "feeds" / folder / name, key)


def _sboms(match: Callable[[Path, bytes], bool], small: Callable[[Path], bytes]) -> Any:
    return lambda: _corpus(match, small)


_SBOM = (_sbom, (SbomError,))
_FEED = (FeedError,)
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("sbom-cyclonedx-json", ".json", "json", _sboms(_is_cdx_json, _small_json), *_SBOM),
        Family("sbom-cyclonedx-xml", ".xml", "text", _sboms(_is_cdx_xml, _small_text), *_SBOM),
        Family("sbom-spdx-json", ".json", "json", _sboms(_is_spdx_json, _small_json), *_SBOM),
        Family("sbom-spdx-tag-value", ".spdx", "text", _sboms(_is_tag_value, _small_text), *_SBOM),
        Family("sbom-spdx-yaml", ".yaml", "text", _enc("yaml"), *_SBOM),
        Family("sbom-spdx3-jsonld", ".json", "json", _sboms(_is_spdx3, _small_json), *_SBOM),
        Family("sbom-spdx-xml", ".xml", "text", _enc("xml"), *_SBOM),
        Family("sbom-spdx-rdf", ".rdf", "text", _enc("rdf"), *_SBOM),
        Family("sbom-spdx-turtle", ".ttl", "text", _enc("ttl"), *_SBOM),
        Family(
            "vex-cyclonedx", ".json", "json", lambda: _vex_seeds("cyclonedx"), _vex, (VexError,)
        ),
        Family("vex-openvex", ".json", "json", lambda: _vex_seeds("openvex"), _vex, (VexError,)),
        Family("vex-csaf", ".json", "json", lambda: _vex_seeds("csaf"), _vex, (VexError,)),
        Family("feed-nvd-2.0", ".json", "json", _nvd_seeds(*_NVD2), _feed(_nvd2), _FEED),
        Family("feed-nvd-1.1", ".json", "json", _nvd_seeds(*_NVD1), _feed(_nvd1), _FEED),
        Family("feed-cve5", ".json", "json", _cve5_seeds, _feed(_cve5), _FEED),
        Family("feed-osv", ".json", "json", _osv_seeds, _feed(_osv), _FEED),
        Family("feed-kev", ".json", "json", _kev_seeds, _feed(_kev), _FEED),
        Family("feed-eol", ".json", "json", _eol_seeds, _feed(_eol), _FEED),
        Family("feed-epss", ".csv", "text", _epss_seeds, _epss, _FEED),
        Family(
            "device-profile", ".yaml", "text", _profile_seeds, _profile, (RiskError, ConfigError)
        ),
        Family("kernel-config", ".config", "text", _kconfig_seeds, _kconfig, (ConfigError,)),
        Family("archive-image", ".bin", "binary", archive_seeds, _archive, (DiscoveryError,)),
    )
}


# --- mutators --------------------------------------------------------------------------------

BIG = "\x00soupwatch-fuzz-big-number\x00"
MAX_MUTANT_BYTES = 16 * 1024 * 1024
"""Repeated elements stop here: the mutator must not be what runs out of memory."""


def hostile_value(rnd: random.Random) -> Any:
    """A value of the classes the issue lists (and plain wrong types)."""
    pick = rnd.randrange(16)
    if pick == 0:
        depth = rnd.choice((50, 101, 600, 5000, 100_000))
        return (
            json.loads("[" * depth + "]" * depth)
            if depth < 900
            else _Raw("[" * depth + "]" * depth)
        )
    if pick == 1:
        return _Raw("1" + "0" * rnd.choice((99, 101, 4301, 100_000)))
    if pick == 2:
        return "a\ud800b" if rnd.random() < 0.5 else "\udfff"
    if pick == 3:
        return "x\x00y"
    if pick == 4:
        return "a" * rnd.choice((1000, 5_000_000))
    if pick == 5:
        return rnd.choice((None, True, False, 0, -1, 1.5e308, float("inf"), "", [], {}))
    if pick == 6:
        return {"": {"": []}}
    if pick == 7:
        return "\u202e\ufeff\ufffe\x1b[2J\r\nline2"
    if pick == 8:
        return rnd.choice(("NOASSERTION", "NONE", "SPDXRef-DOCUMENT", "pkg:", "cpe:2.3:", "CVE-"))
    if pick == 9:
        return [rnd.choice((1, "a", None, {})) for _ in range(rnd.choice((3, 1000)))]
    if pick == 10:
        return _Raw("-1e999999")
    return rnd.choice(("1.0", "0", "-", "*", ":", "/", "../..", "%00", "2026-13-45T99:99:99Z"))


class _Raw:
    """JSON text put in verbatim (what json.dumps cannot write: 10^100000, 100,000 brackets)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _slots(data: Any, rnd: random.Random, limit: int = 400) -> list[tuple[Any, Any]]:
    """Up to ``limit`` (container, key) places of a JSON tree, sampled from a bounded walk."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    seen = 0
    while stack and seen < 20_000:
        node = stack.pop()
        seen += 1
        items: Iterator[tuple[Any, Any]]
        if isinstance(node, dict):
            items = iter(list(node.items()))
        elif isinstance(node, list):
            items = iter(list(enumerate(node)))
        else:
            continue
        for key, value in items:
            if len(found) < limit:
                found.append((node, key))
            elif rnd.random() < 0.05:
                found[rnd.randrange(limit)] = (node, key)
            stack.append(value)
    return found


def mutate_json(seed: bytes, rnd: random.Random) -> bytes:
    """Mutate a JSON seed as a tree, then write it (hostile raw text spliced in)."""
    try:
        data = json.loads(seed)
    except ValueError:
        return mutate_text(seed, rnd)
    raws: dict[str, str] = {}

    def hostile() -> Any:
        value = hostile_value(rnd)
        if isinstance(value, _Raw):
            marker = f"{BIG}{len(raws)}"
            raws[marker] = value.text
            return marker
        return value

    for _ in range(rnd.randint(1, 4)):
        slots = _slots(data, rnd)
        if not slots:
            break
        node, key = rnd.choice(slots)
        op = rnd.randrange(6)
        if op <= 2:
            node[key] = hostile()
        elif op == 3 and isinstance(node, dict):
            del node[key]
        elif op == 4 and isinstance(node, list) and node:
            try:
                piece = len(json.dumps(node[key])) + 2
            except (ValueError, TypeError, RecursionError):
                continue
            times = rnd.choice((2, 100, 50_000 if rnd.random() < 0.1 else 10))
            node.extend([node[key]] * max(1, min(times, MAX_MUTANT_BYTES // piece)))
            break  # the copies are shared: growing one of them later would grow them all
        elif op == 5:
            other, okey = rnd.choice(slots)
            node[key], other[okey] = other[okey], node[key]
        elif isinstance(node, dict):
            node[rnd.choice(("a\x00", "\ud800", "bom-ref", "SPDXID", "components", "packages"))] = (
                hostile() if rnd.random() < 0.5 else node[key]
            )
    try:
        text = json.dumps(data, ensure_ascii=rnd.random() < 0.5, allow_nan=True)
    except (ValueError, TypeError, RecursionError):
        return seed
    if len(text) > 4 * MAX_MUTANT_BYTES:
        return seed
    for marker, raw in raws.items():
        text = text.replace(json.dumps(marker, ensure_ascii=False), raw).replace(
            json.dumps(marker), raw
        )
    return text.encode("utf-8", "surrogatepass")


TEXT_TOKENS = (
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",  # a surrogate in UTF-8 (invalid)
    b"\n" * 100_000,
    b" " * 100_000,
    b"<a>" * 5000,
    b"[" * 600,
    b"{" * 5000,
    b"- " * 2000,
    b"1" + b"0" * 100_000,
    b'"\\ud800"',
    b'"\\x00"',
    b"&#0;",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"&a;",
    b"*anchor",
    b"&anchor ",
    b'"""',
    b"<text>",
    b"</text>",
    b"PackageName: x\nSPDXID: SPDXRef-x\n",
    b"Relationship: SPDXRef-x CONTAINS SPDXRef-x\n",
    b"CONFIG_X=",
    b"=y\n",
    b"\r",
    b"\\",
    b"@prefix x: <",
)


def mutate_text(seed: bytes, rnd: random.Random) -> bytes:
    """Mutate text by lines (delete, repeat, swap) and tokens (hostile bytes put in, bytes cut)."""
    data = bytearray(seed)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(7)
        pos = rnd.randrange(len(data) + 1)
        if op <= 1:
            token = rnd.choice(TEXT_TOKENS)
            data[pos:pos] = token
        elif op == 2 and data:
            end = min(len(data), pos + rnd.choice((1, 10, 200, 5000)))
            del data[pos:end]
        elif op == 3:
            lines = bytes(data).split(b"\n")
            i = rnd.randrange(len(lines))
            times = rnd.choice((1, 50, 2000))
            lines[i:i] = [lines[i]] * max(1, min(times, MAX_MUTANT_BYTES // (len(lines[i]) + 1)))
            data = bytearray(b"\n".join(lines))
        elif op == 4:
            lines = bytes(data).split(b"\n")
            rnd.shuffle(lines) if rnd.random() < 0.1 else lines.pop(rnd.randrange(len(lines)))
            data = bytearray(b"\n".join(lines))
        elif op == 5 and data:
            data[min(pos, len(data) - 1)] = rnd.randrange(256)
        else:
            del data[pos:]
        del data[4 * MAX_MUTANT_BYTES :]
    return bytes(data)


def mutate_binary(seed: bytes, rnd: random.Random) -> bytes:
    """Flip, cut and repeat bytes; flips mostly in the first KiB, where headers are."""
    data = bytearray(seed)
    for _ in range(rnd.randint(1, 6)):
        op = rnd.randrange(5)
        if not data:
            break
        if op <= 2:
            span = min(len(data), 1024) if rnd.random() < 0.6 else len(data)
            pos = rnd.randrange(span)
            data[pos] ^= 1 << rnd.randrange(8) if rnd.random() < 0.7 else rnd.randrange(1, 256)
        elif op == 3:
            del data[rnd.randrange(len(data)) :]
        else:
            pos = rnd.randrange(len(data))
            data[pos:pos] = data[pos : pos + rnd.choice((16, 512, 4096))] * rnd.choice((2, 30))
    return bytes(data)


MUTATORS = {"json": mutate_json, "text": mutate_text, "binary": mutate_binary}


# --- the property ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one input did."""

    status: str
    """``parsed``, ``refused`` (the documented error) or ``crash`` (anything else)."""
    seconds: float
    """Processor time: what the input cost, whatever else the machine was doing."""
    wall: float = 0.0
    detail: str = ""


def run_one(family: Family, data: bytes, folder: Path) -> Outcome:
    """Run one input; a crash is another exception, or a documented error on several lines."""
    path = folder / f"input{family.suffix}"
    path.write_bytes(data)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        family.run(path)
    except family.errors as err:
        took, wall = time.process_time() - cpu, time.perf_counter() - start
        text = str(err)
        if "\n" in text or "\r" in text:
            return Outcome("crash", took, wall, f"multi-line message: {text[:300]!r}")
        return Outcome("refused", took, wall, text[:200])
    except Exception as err:  # the property: nothing else may escape
        import traceback

        took, wall = time.process_time() - cpu, time.perf_counter() - start
        return Outcome("crash", took, wall, "".join(traceback.format_exception(err, limit=-6)))
    return Outcome("parsed", time.process_time() - cpu, time.perf_counter() - start)


def check(family: Family, data: bytes, folder: Path) -> None:
    """Assert the property for one input (the pytest form)."""
    outcome = run_one(family, data, folder)
    assert outcome.status != "crash", outcome.detail
    assert outcome.seconds < MAX_SECONDS, f"{family.name}: {outcome.seconds:.1f} s"

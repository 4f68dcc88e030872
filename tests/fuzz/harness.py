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

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
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
from tests.fuzz import api
from tests.fuzz.mutators import MUTATORS as _MUTATORS
from tests.fuzz.seeds import (
    CACHE,
    REPO,
    archive_seeds,
    corpus,
    cve5_seeds,
    eol_seeds,
    epss_seeds,
    gz_json_records,
    is_cdx_json,
    is_cdx_xml,
    is_spdx3,
    is_spdx_json,
    is_tag_value,
    kconfig_seeds,
    kev_seeds,
    osv_seeds,
    profile_seeds,
    shared,
    small_json,
    small_text,
    small_xml,
    spdx_encodings,
    vex_seeds,
)

__all__ = [
    "CACHE",
    "FAMILIES",
    "MAX_SECONDS",
    "MUTATORS",
    "REPO",
    "Family",
    "check",
    "run_one",
    "run_path",
    "shared",
]

MUTATORS = {**_MUTATORS, "request": api.mutate_request}
"""Per family kind: ``json``, ``text``, ``binary``, and ``request`` (an HTTP request whose body
is mutated as its content type says)."""

logging.getLogger("rdflib").setLevel(logging.ERROR)  # it warns about every bad URI it meets
logging.getLogger("python_multipart").setLevel(logging.ERROR)  # and it about every bad form

MAX_SECONDS = 10.0
"""No input may take longer than this (the issue's bound)."""


@dataclass(frozen=True)
class Family:
    """One parser family: how to get seeds, how to mutate them, how to run the parser."""

    name: str
    suffix: str
    kind: str
    """``json``, ``text``, ``binary`` or ``request``: which mutator fits the seeds."""
    seeds: Callable[[], list[bytes]]
    run: Callable[[Path], object]
    errors: tuple[type[SoupwatchError], ...]
    """What the parser may raise: the stage's documented errors."""


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
        from soupwatch.intel.source import load_json, read_mirror_file

        return parse(load_json(read_mirror_file(path, path.name), path.name), path.name)

    return run


def _epss(path: Path) -> object:
    from soupwatch.intel.epss import parse_csv
    from soupwatch.intel.source import maybe_gunzip, read_mirror_file

    data = maybe_gunzip(read_mirror_file(path, path.name), path.name)
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
    return lambda: gz_json_records(shared() / "feeds" / folder / name, key)


def _sboms(match: Callable[[Path, bytes], bool], small: Callable[[Path], bytes]) -> Any:
    return lambda: corpus(match, small)


_SBOM = (_sbom, (SbomError,))
_API = (api.request_seeds, api.send, (api.RequestRefused,))
_FEED = (FeedError,)
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("sbom-cyclonedx-json", ".json", "json", _sboms(is_cdx_json, small_json), *_SBOM),
        Family("sbom-cyclonedx-xml", ".xml", "text", _sboms(is_cdx_xml, small_xml), *_SBOM),
        Family("sbom-spdx-json", ".json", "json", _sboms(is_spdx_json, small_json), *_SBOM),
        Family("sbom-spdx-tag-value", ".spdx", "text", _sboms(is_tag_value, small_text), *_SBOM),
        Family("sbom-spdx-yaml", ".yaml", "text", _enc("yaml"), *_SBOM),
        Family("sbom-spdx3-jsonld", ".json", "json", _sboms(is_spdx3, small_json), *_SBOM),
        Family("sbom-spdx-xml", ".xml", "text", _enc("xml"), *_SBOM),
        Family("sbom-spdx-rdf", ".rdf", "text", _enc("rdf"), *_SBOM),
        Family("sbom-spdx-turtle", ".ttl", "text", _enc("ttl"), *_SBOM),
        Family("vex-cyclonedx", ".json", "json", lambda: vex_seeds("cyclonedx"), _vex, (VexError,)),
        Family("vex-openvex", ".json", "json", lambda: vex_seeds("openvex"), _vex, (VexError,)),
        Family("vex-csaf", ".json", "json", lambda: vex_seeds("csaf"), _vex, (VexError,)),
        Family("feed-nvd-2.0", ".json", "json", _nvd_seeds(*_NVD2), _feed(_nvd2), _FEED),
        Family("feed-nvd-1.1", ".json", "json", _nvd_seeds(*_NVD1), _feed(_nvd1), _FEED),
        Family("feed-cve5", ".json", "json", cve5_seeds, _feed(_cve5), _FEED),
        Family("feed-osv", ".json", "json", osv_seeds, _feed(_osv), _FEED),
        Family("feed-kev", ".json", "json", kev_seeds, _feed(_kev), _FEED),
        Family("feed-eol", ".json", "json", eol_seeds, _feed(_eol), _FEED),
        Family("feed-epss", ".csv", "text", epss_seeds, _epss, _FEED),
        Family(
            "device-profile", ".yaml", "text", profile_seeds, _profile, (RiskError, ConfigError)
        ),
        Family("kernel-config", ".config", "text", kconfig_seeds, _kconfig, (ConfigError,)),
        Family("archive-image", ".bin", "binary", archive_seeds, _archive, (DiscoveryError,)),
        Family("api-request-body", ".http", "request", *_API),
    )
}


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
    return run_path(family, path)


HANG_CPU_SECONDS = 60
"""Processor seconds after which an input is stopped and reported as a hang (a crash): an
endless loop must not stop the run, or the test suite, with it."""


class _Hung(BaseException):
    """Raised into an input that used :data:`HANG_CPU_SECONDS` of processor time (a
    ``BaseException``, so that no parser's ``except Exception`` takes it for its own)."""


def _stop_hung(signum: int, frame: object) -> None:
    raise _Hung


def run_path(family: Family, path: Path) -> Outcome:
    """Run the input already written to ``path`` (the long run drops its own copy first, so
    the memory measured is the parser's); one that runs past :data:`HANG_CPU_SECONDS` of
    processor time is stopped and reported as a crash."""
    watch = threading.current_thread() is threading.main_thread()
    if watch:
        previous = signal.signal(signal.SIGPROF, _stop_hung)
        signal.setitimer(signal.ITIMER_PROF, HANG_CPU_SECONDS)
    try:
        return _run_path(family, path)
    finally:
        if watch:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)


def _run_path(family: Family, path: Path) -> Outcome:
    start, cpu = time.perf_counter(), time.process_time()
    try:
        family.run(path)
    except _Hung:
        took, wall = time.process_time() - cpu, time.perf_counter() - start
        return Outcome("crash", took, wall, f"hung: stopped after {took:.0f} s of processor time")
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

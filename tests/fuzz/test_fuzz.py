"""Every parser of outside input, fuzzed: it parses, or raises its stage's error on one line.

CI runs a small budget (``SOUPWATCH_FUZZ_EXAMPLES``, default 20 inputs per family, about 20 s in
all); ``scripts/fuzz.py`` is the long run (100,000 inputs per family, with counts, tracebacks,
slow runs and peak memory). The crashers found so far are replayed from ``regressions/``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import FAMILIES, MUTATORS, check, shared

EXAMPLES = int(os.environ.get("SOUPWATCH_FUZZ_EXAMPLES", "20"))
REGRESSIONS = Path(__file__).parent / "regressions"

pytestmark = pytest.mark.skipif(
    not (shared() / "corpus" / "sboms").is_dir(), reason="needs ../shared (the corpus seeds)"
)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Hypothesis picks a seed and drives the mutator's choices (so failures shrink and replay)."""
    family = FAMILIES[name]
    seeds = family.seeds()
    assert seeds, f"{name}: no seeds found in the corpus"
    folder = tmp_path_factory.mktemp(name)
    mutate = MUTATORS[family.kind]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,  # the harness measures time itself (10 s per input)
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=os.environ.get("SOUPWATCH_FUZZ_RANDOM") is None,
    )
    @given(seed=st.sampled_from(seeds), rnd=st.randoms(use_true_random=False))
    def run(seed: bytes, rnd: random.Random) -> None:
        check(family, mutate(seed, rnd), folder)

    run()


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.glob("*") if p.is_file() and p.suffix != ".md")


_CDX = b'{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","version":%s}]}'
INLINE: dict[str, tuple[str, bytes]] = {
    # the classes, too large to store as files
    "spdx-xml-100000-deep": (
        "sbom-spdx-xml",
        b"<Document>" + b"<packages>" * 100_000 + b"</packages>" * 100_000 + b"</Document>",
    ),
    "json-10^100000": ("sbom-cyclonedx-json", _CDX % (b"1" + b"0" * 100_000)),
    "json-4302-digit-number": ("vex-csaf", b'{"document": {"x": 1' + b"0" * 4301 + b"}}"),
    "json-100000-deep": ("feed-kev", b"[" * 100_000 + b"]" * 100_000),
    "yaml-10^100000": (
        "sbom-spdx-yaml",
        b"spdxVersion: SPDX-2.3\npackages:\n- name: a\n  SPDXID: SPDXRef-a\n  versionInfo: 1"
        + b"0" * 100_000,
    ),
    "50-MB-string": ("sbom-cyclonedx-json", _CDX % (b'"' + b"a" * 50_000_000 + b'"')),
    "x-and-100000-newlines": ("sbom-spdx-tag-value", b"x" + b"\n" * 100_000),
    "xml-declaration-100000-spaces": ("sbom-cyclonedx-xml", b"<?xml" + b" " * 100_000),
}


@pytest.mark.parametrize("case", sorted(INLINE))
def test_inline_regression(case: str, tmp_path: Path) -> None:
    """The issue's hostile inputs that are too large to keep as files."""
    family, data = INLINE[case]
    check(FAMILIES[family], data, tmp_path)


OPEN: dict[str, str] = {}
"""Kept crashers whose fix belongs to other work: expected to fail until it lands (strict, so
the mark must go when it does)."""


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=OPEN[p.name], strict=True))
        if p.name in OPEN
        else p
        for p in _regressions()
    ],
    ids=lambda p: p.name,
)
def test_regression(case: Path, tmp_path: Path) -> None:
    """A crasher the harness found, named ``<family>--<what>.<suffix>``, replayed as it was."""
    family = FAMILIES[case.name.split("--", 1)[0]]
    check(family, case.read_bytes(), tmp_path)


def test_an_input_that_never_ends_is_stopped_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser caught in an endless loop (as the ELF scanner once was on a section header
    pointing past the file) is stopped after the processor-time budget and reported as a
    crash, instead of stopping the run with it."""
    from soupwatch.errors import DiscoveryError
    from tests.fuzz import harness

    def endless(path: Path) -> object:
        n = 0
        while True:  # what the hang looked like: busy, never done
            try:
                n += 1
            except Exception:  # a parser's own broad handler must not swallow the stop
                continue

    monkeypatch.setattr(harness, "HANG_CPU_SECONDS", 1)
    family = harness.Family("endless", ".bin", "binary", list, endless, (DiscoveryError,))
    (tmp_path / "input.bin").write_bytes(b"x")
    outcome = harness.run_path(family, tmp_path / "input.bin")
    assert outcome.status == "crash"
    assert outcome.detail.startswith("hung: stopped after")
    assert 0.5 <= outcome.seconds < 5  # about the budget (the timer counts the whole process)

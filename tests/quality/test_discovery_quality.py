"""Discovery quality of (product, version) on real Debian packages of every architecture.

Two sets (``elf_sets.py``): the development set the signatures were written against, and an
evaluation set held apart (another Debian release, other architectures). Each package is
discovered as it ships (its extracted tree); truth is the package's own upstream version.
Precision counts every versioned claim; recall counts each package's product found with the
right version. Both are printed per architecture; the floors catch regressions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from tests.debs import DebCache, upstream
from tests.quality.elf_sets import (
    CASES,
    DEV,
    DEV_ONLY,
    EVAL,
    FAMILY_CASES,
    FAMILY_DEV,
    FAMILY_EVAL,
    Case,
)

from soupwatch.discover import discover_path
from soupwatch.discover.changelog import VERSION_FROM

pytestmark = pytest.mark.slow


@dataclass
class Score:
    """Counts for one architecture (or a whole set)."""

    hits: int = 0
    truth: int = 0
    claims: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    from_changelog: list[str] = field(default_factory=list)
    """Right claims whose version rests on the package's changelog.Debian (package metadata
    shipped in the tree; a stripped image has none, and the binary's own word stands)."""

    @property
    def precision(self) -> float:
        """Right versioned claims / all versioned claims."""
        return self.hits / self.claims if self.claims else 1.0

    @property
    def recall(self) -> float:
        """Packages whose product was found with the right version / packages."""
        return self.hits / self.truth if self.truth else 1.0


def _product(cpe: str) -> str:
    return ":".join(cpe.split(":")[3:5])


def _evaluate(
    debs: DebCache, pairs: tuple[tuple[str, str], ...], cases: tuple[Case, ...] = CASES
) -> dict[str, Score]:
    wanted = [(c.package, arch, rel) for rel, arch in pairs for c in cases if rel in c.releases]
    debs.prefetch(wanted)
    scores: dict[str, Score] = defaultdict(Score)
    for release, arch in pairs:
        score = scores[f"{release}/{arch}"]
        for case in (c for c in cases if release in c.releases):
            try:
                pkg = debs.unpacked(case.package, arch, release)
            except pytest.skip.Exception as why:  # one package the mirror lacks today
                score.unavailable.append(f"{release}/{arch} {case.package}: {why}")
                continue
            want = (case.product, upstream(pkg.version))
            found = [c for c in discover_path(pkg.root).components if c.cpe and c.version]
            claims = {(_product(c.cpe or ""), c.version) for c in found}
            score.truth += 1
            where = f"{release}/{arch} {case.package}"
            if want in claims:
                score.hits += 1
                if any(
                    (_product(c.cpe or ""), c.version) == want and c.property(VERSION_FROM)
                    for c in found
                ):
                    score.from_changelog.append(f"{where}: {want[0]} {want[1]}")
            else:
                score.missed.append(f"{where}: {want[0]} {want[1]}")
            for claim in sorted(claims - {want}):
                if claim[0] in case.extra:
                    continue
                score.claims += 1
                score.wrong.append(f"{where}: {claim[0]} {claim[1]} (want {want[1]})")
            score.claims += want in claims
    return scores


def _report(name: str, scores: dict[str, Score]) -> Score:
    total = Score()
    print(f"\n{name}: precision / recall of (product, version)")
    for key, s in sorted(scores.items()):
        print(
            f"  {key:18} precision {s.precision:.3f} ({s.hits}/{s.claims})"
            f"  recall {s.recall:.3f} ({s.hits}/{s.truth})"
        )
        total.hits += s.hits
        total.truth += s.truth
        total.claims += s.claims
        total.wrong += s.wrong
        total.missed += s.missed
        total.unavailable += s.unavailable
        total.from_changelog += s.from_changelog
    print(
        f"  {'all':18} precision {total.precision:.3f} ({total.hits}/{total.claims})"
        f"  recall {total.recall:.3f} ({total.hits}/{total.truth})"
    )
    for line in total.wrong:
        print("  wrong:", line)
    for line in total.missed:
        print("  missed:", line)
    if total.from_changelog:
        print(
            f"  {len(total.from_changelog)} of the {total.hits} right claims take their version "
            "from the package's changelog.Debian (binary evidence alone: one fewer hit each)"
        )
    for line in total.from_changelog:
        print("  version from changelog:", line)
    for line in total.unavailable:
        print("  not downloadable, not counted:", line[:160])
    return total


@pytest.fixture(scope="session")
def debs() -> DebCache:
    """Real Debian packages, cached (see tests/debs.py)."""
    return DebCache()


def test_development_set(debs: DebCache) -> None:
    scores = _evaluate(debs, DEV, CASES + DEV_ONLY)
    total = _report("development set (bookworm amd64/arm64/armhf)", scores)
    assert total.precision >= 0.97 and total.recall >= 0.97, (total.wrong, total.missed)
    assert len(total.unavailable) <= 2, total.unavailable


def test_evaluation_set(debs: DebCache) -> None:
    total = _report("evaluation set (held out)", _evaluate(debs, EVAL))
    assert total.precision >= 0.97 and total.recall >= 0.97, (total.wrong, total.missed)
    assert len(total.unavailable) <= 12, total.unavailable


def test_family_development_set(debs: DebCache) -> None:
    total = _report("families, development set", _evaluate(debs, FAMILY_DEV, FAMILY_CASES))
    assert total.precision >= 0.97 and total.recall >= 0.97, (total.wrong, total.missed)
    assert len(total.unavailable) <= 2, total.unavailable


def test_family_evaluation_set(debs: DebCache) -> None:
    total = _report(
        "families, evaluation set (held out)", _evaluate(debs, FAMILY_EVAL, FAMILY_CASES)
    )
    assert total.precision >= 0.97 and total.recall >= 0.97, (total.wrong, total.missed)
    assert len(total.unavailable) <= 6, total.unavailable

"""The Matcher interface: a registered class is asked per scan, its Judgement is obeyed, and
compiled records are shared only on request and only while unchanged."""

from __future__ import annotations

import gc
from typing import ClassVar

import pytest

from soupwatch.match import matcher as matcher_module
from soupwatch.match.interface import Basis, CompiledRecords, Judgement, ScanData, Subject
from soupwatch.match.matcher import MATCHERS, match_components
from soupwatch.match.merge import Verdict
from soupwatch.match.versions import Unparsable
from soupwatch.model import Component, ComponentRef, ComponentType, MatchEvidence
from tests.unit.match.mirror import MirrorQuery

OPENSSL = Component(ref=ComponentRef("o"), name="openssl", version="1.0.1f")


class LabMatcher:
    """A matcher of an in-house advisory list: openssl 1.0.1f has LAB-1 and Heartbleed."""

    created: ClassVar[int] = 0

    def __init__(self) -> None:
        type(self).created += 1

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        if subject.component.name != "openssl":
            return Judgement()
        ev = MatchEvidence(
            by="lab", source="lab", query="openssl", criteria="lab list", confidence=0.5
        )
        return Judgement(
            (Verdict("lab", "LAB-1", True, ev), Verdict("lab", "CVE-2014-0160", True, ev))
        )


def test_a_registered_matcher_adds_findings_and_merge_ranks_it_last(
    mirror: MirrorQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = match_components([OPENSSL], mirror)
    monkeypatch.setitem(MATCHERS, "lab", LabMatcher)
    result = match_components([OPENSSL], mirror)
    by_id = {f.vulnerability.id: f for f in result.findings}
    assert set(by_id) == {f.vulnerability.id for f in plain.findings} | {"LAB-1"}
    assert by_id["LAB-1"].match.source == "lab"
    heartbleed = by_id["CVE-2014-0160"]
    assert heartbleed.match.by == "cna-range"  # the CNA still decides
    assert "lab" in [m.source for m in heartbleed.other_matches]


class AnswersAll:
    """Answers for every component and says nothing: later matchers are not asked."""

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        return Judgement(final=True)


class HalfSure:
    """Tells later matchers to judge at half confidence, and why."""

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        return Judgement(basis=Basis(0.5, "judged by a test"))


def test_final_and_basis_reach_the_matchers_asked_later(
    mirror: MirrorQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = {f.vulnerability.id: f for f in match_components([OPENSSL], mirror).findings}
    monkeypatch.setattr(matcher_module, "MATCHERS", {"first": AnswersAll, **MATCHERS})
    assert match_components([OPENSSL], mirror).findings == []
    monkeypatch.setattr(matcher_module, "MATCHERS", {"first": HalfSure, **MATCHERS})
    halved = {f.vulnerability.id: f for f in match_components([OPENSSL], mirror).findings}
    assert halved.keys() == plain.keys()
    f = halved["CVE-2014-0160"]
    assert f.match.confidence == round(plain["CVE-2014-0160"].match.confidence * 0.5, 3)
    nvd = next(m for m in f.other_matches if m.source == "nvd")
    assert "judged by a test." in nvd.explanation


def test_matchers_live_for_one_scan_and_gc_is_left_alone(
    mirror: MirrorQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(MATCHERS, "lab", LabMatcher)
    state = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    before = LabMatcher.created
    match_components([OPENSSL], mirror)
    match_components([OPENSSL], mirror)
    assert LabMatcher.created == before + 2  # a fresh instance (and caches) per scan
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == state


def test_compiled_records_are_reused_only_while_the_record_is_unchanged() -> None:
    calls: list[list[str]] = []

    def compile_(source: list[str]) -> tuple[str, ...]:
        calls.append(source)
        return tuple(source)

    kept = CompiledRecords()
    assert kept.get(("cna", "CVE-1"), ["5.10 < 5.10.2"], compile_) == ("5.10 < 5.10.2",)
    assert kept.get(("cna", "CVE-1"), ["5.10 < 5.10.2"], compile_) == ("5.10 < 5.10.2",)
    assert len(calls) == 1  # an equal record (not even the same object) is not compiled again
    assert kept.get(("cna", "CVE-1"), ["5.10 < 5.10.3"], compile_) == ("5.10 < 5.10.3",)
    assert len(calls) == 2  # the record changed: compiled anew


def test_scans_sharing_compiled_records_find_what_separate_scans_find(
    mirror: MirrorQuery,
) -> None:
    kernel = Component(
        ref=ComponentRef("k"), name="linux", version="5.10.200", type=ComponentType.OPERATING_SYSTEM
    )
    older = Component(
        ref=ComponentRef("k"), name="linux", version="5.10.52", type=ComponentType.OPERATING_SYSTEM
    )
    kept = CompiledRecords()
    for release in ([kernel, OPENSSL], [older, OPENSSL]):
        alone = match_components(release, mirror)
        shared = match_components(release, mirror, compiled=kept)
        assert shared == alone and alone.findings

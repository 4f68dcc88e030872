"""The Matcher interface: a registered class is asked per scan, and its Judgement is obeyed."""

from __future__ import annotations

import gc
from typing import ClassVar

import pytest

from soupwatch.match import matcher as matcher_module
from soupwatch.match.interface import Basis, Judgement, ScanData, Subject
from soupwatch.match.matcher import MATCHERS, match_components
from soupwatch.match.merge import Verdict
from soupwatch.match.versions import Unparsable
from soupwatch.model import Component, ComponentRef, MatchEvidence
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

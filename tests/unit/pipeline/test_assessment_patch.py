"""When a stored assessment may be updated finding by finding, and when only a full
recomputation is exact (the equality with a full recomputation on real feed data is checked in
tests/unit/watch/test_incremental.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from soupwatch import pipeline
from soupwatch.model import Finding, MatchEvidence, Product, Release, Vulnerability
from soupwatch.model.component import Component, ComponentRef
from soupwatch.model.vulnerability import CvssScore, VulnId
from soupwatch.pipeline.assessment_patch import changed_ids
from soupwatch.store import inventory
from soupwatch.store.assessments import (
    AssessmentMarks,
    AssessmentPatch,
    load_assessment,
    load_header,
    patch_assessment,
    save_scan,
    scan_marks,
    summaries,
)
from soupwatch.store.change_index import newest_change
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.store.intel_write import EVERYTHING, note_changes

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_changed_ids_name_the_changes_and_decline_everything(store: Store) -> None:
    with store.session() as s:
        note_changes(s, "nvd", ["CVE-2014-0160", "CVE-2016-2108"], NOW)
        first = newest_change(s)
        note_changes(s, "kev", ["CVE-2021-44228"], NOW)
        second = newest_change(s)
        note_changes(s, "epss", [EVERYTHING], NOW)  # scores moved, ids not named
        third = newest_change(s)
    with store.session() as s:
        assert changed_ids(s, first, second) == frozenset({"CVE-2021-44228"})
        assert changed_ids(s, 0, second) == frozenset(
            {"CVE-2014-0160", "CVE-2016-2108", "CVE-2021-44228"}
        )
        # a range holding a change that named no ids: only a full recomputation is exact
        assert changed_ids(s, second, third) is None
        assert changed_ids(s, 0, third) is None


def test_scan_marks_count_writes_and_keep_partial_starts(store: Store) -> None:
    with store.session() as s:
        inventory.save_release(s, Product("pump"), Release("pump", "1.0", ()))
        rid = inventory.release_id(s, "pump", "1.0")
        assert scan_marks(s, rid).findings_seq == 0  # never scanned
        save_scan(s, rid, NOW, [])  # a full scan
        save_scan(s, rid, NOW, [], partial_from=7)  # two partial re-matches
        save_scan(s, rid, NOW, [], partial_from=9)
    with store.session() as s:
        marks = scan_marks(s, rid)
        assert marks.findings_seq == 3
        assert marks.partial == {2: 7, 3: 9}
        save_scan(s, rid, NOW, [])  # a full scan forgets the partial ones
    with store.session() as s:
        assert scan_marks(s, rid).partial == {}
        assert scan_marks(s, rid).findings_seq == 4


def _stored_release(store: Store, release: str = "1.0") -> int:
    """A release with two real-shaped findings, its assessment stored with marks."""
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    comps = (Component(ref=ComponentRef("openssl"), name="openssl", version="1.0.1f"),)
    how = MatchEvidence("cpe", "nvd", "openssl 1.0.1f", "cpe range", 1.0)
    findings = [
        Finding(
            ComponentRef("openssl"),
            "openssl",
            "1.0.1f",
            Vulnerability(VulnId(v), cvss=(CvssScore("3.1", vector, 7.5, "nvd"),)),
            how,
        )
        for v in ("CVE-2014-0160", "CVE-2016-2108")
    ]
    with store.session() as s:
        inventory.save_release(s, Product("pump"), Release("pump", release, comps))
        save_findings(s, "pump", release, findings, NOW)
        rid = inventory.release_id(s, "pump", release)
    pipeline.assessment(store, "pump", release, now=NOW)
    return rid


def _patch(session: Any, rid: int, expected: AssessmentMarks) -> AssessmentPatch:
    marks = summaries(session, [rid])[rid].marks
    assert marks is not None
    return AssessmentPatch(
        dropped=frozenset({"CVE-2016-2108"}),
        added=(),
        renumbered={},
        counts={"findings": 1},
        made_at=NOW,
        fingerprint="patched",
        marks=marks,
        snapshot=(),
        unmatched_vex=(),
        skipped=(),
        expected=expected,
    )


def test_a_patch_computed_from_an_older_assessment_writes_nothing(store: Store) -> None:
    rid = _stored_release(store)
    with store.session() as s:
        marks = summaries(s, [rid])[rid].marks
        assert marks is not None
        before = load_assessment(s, rid)
        # another writer stored a newer assessment meanwhile: its marks moved on
        stale = AssessmentMarks(marks.base, marks.intel_mark, marks.findings_seq - 1)
        assert patch_assessment(s, rid, _patch(s, rid, stale)) is False
    with store.session() as s:
        assert load_assessment(s, rid) == before
        assert summaries(s, [rid])[rid].fingerprint != "patched"
        # the same patch from the current marks is written
        assert patch_assessment(s, rid, _patch(s, rid, marks)) is True
    with store.session() as s:
        after = load_assessment(s, rid)
        assert after is not None and before is not None
        assert [a.finding.vulnerability.id for a in after.findings] == ["CVE-2014-0160"]
        # the header is not rewritten: its components' ids are the rows', in every read
        assert [c.vulnerability_ids for c in after.components] == [("CVE-2014-0160",)]
        header = load_header(s, rid)
        assert header is not None and header.components == after.components
        assert summaries(s, [rid])[rid].fingerprint == "patched"


def test_patches_written_together_skip_only_the_release_another_writer_moved_on(
    store: Store,
) -> None:
    """The batch write (one statement per table for many releases) checks each release's
    marks under its lock: the one computed from an older assessment is left whole, the
    others are written."""
    from soupwatch.store.assessments import patch_assessments

    first, second = _stored_release(store, "1.0"), _stored_release(store, "2.0")
    with store.session() as s:
        before = {rid: load_assessment(s, rid) for rid in (first, second)}
        marks = {rid: summaries(s, [rid])[rid].marks for rid in (first, second)}
        current = marks[first]
        moved_on = marks[second]
        assert current is not None and moved_on is not None
        older = AssessmentMarks(moved_on.base, moved_on.intel_mark, moved_on.findings_seq - 1)
        batch = {first: _patch(s, first, current), second: _patch(s, second, older)}
        assert patch_assessments(s, batch) == {first}
    with store.session() as s:
        assert load_assessment(s, second) == before[second]
        after = load_assessment(s, first)
        assert after is not None
        assert [a.finding.vulnerability.id for a in after.findings] == ["CVE-2014-0160"]
        assert summaries(s, [first])[first].fingerprint == "patched"


def test_an_update_that_moves_no_finding_leaves_the_header_and_rewrites_its_volatile_parts(
    store: Store,
) -> None:
    rid = _stored_release(store)
    later = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    with store.session() as s:
        marks = summaries(s, [rid])[rid].marks
        assert marks is not None
        before = load_assessment(s, rid)
        assert before is not None
        # nothing dropped or added: only the time, the snapshot and the skipped list move
        unjudged = (("zlib", "no version: cannot be matched"),)
        quiet = AssessmentPatch(
            dropped=frozenset(),
            added=(),
            renumbered={},
            counts=dict(summaries(s, [rid])[rid].counts),
            made_at=later,
            fingerprint="quiet",
            marks=marks,
            snapshot=(),
            unmatched_vex=(),
            skipped=unjudged,
            expected=marks,
        )
        assert patch_assessment(s, rid, quiet) is True
    with store.session() as s:
        after = load_assessment(s, rid)
        assert after is not None
        assert after.assessed_at == later
        assert after.skipped == unjudged
        assert after.components == before.components  # each still lists both findings
        assert after.findings == before.findings


def test_jobs_and_postmarket_records_leave_stored_assessments_current(store: Store) -> None:
    """Jobs, notification channels and deployed units are audited but no assessment
    reads them: recording one must not make every stored assessment stale (a job's start entry
    did, so the re-match job recomputed every touched assessment from scratch)."""
    from soupwatch import fleet, notify
    from soupwatch.model.notify import Channel, ChannelKind
    from soupwatch.vex import audit

    with store.session() as s:
        comps = (Component(ref=ComponentRef("z"), name="zlib", version="1.2.11"),)
        inventory.save_release(s, Product("pump"), Release("pump", "1.0", comps))
    pipeline.scan_release(store, "pump", "1.0", now=NOW)
    assert pipeline.release_summary(store, "pump", "1.0", now=NOW).recomputed
    with store.session() as s:
        audit.append(s, "ci", "job.start", "job:1", None, {"kind": "rematch"}, "a job", NOW)
    spec = Channel("ops", ChannelKind.WEBHOOK, "https://hooks.example/x")
    notify.admin.add_channel(store, spec, None, actor="ci", now=NOW)
    unit = {"serial": "SN-1", "product": "pump", "release": "1.0", "site": "ICU", "customer": "H"}
    fleet.import_records(store, [unit], actor="ci", now=NOW)
    assert not pipeline.release_summary(store, "pump", "1.0", now=NOW).recomputed
    # what an assessment does read still makes it stale: a product-wide VEX decision
    from soupwatch.model.vex import VexScope, VexState, VexStatement

    decision = VexStatement(
        vulnerability="CVE-2018-25032",
        state=VexState.IN_TRIAGE,
        scope=VexScope.PRODUCT,
        product="pump",
        author="ci",
    )
    pipeline.record_decision(store, decision, actor="ci", reason="check", now=NOW)
    assert pipeline.release_summary(store, "pump", "1.0", now=NOW).recomputed


def test_components_read_ahead_for_other_findings_are_read_again(store: Store) -> None:
    """The batch reads a release's components together with the next releases', for the refs
    of the findings read for them; asked for other refs, it reads those, never the kept ones."""
    from soupwatch.pipeline.assessment_patch import SharedReads
    from soupwatch.store.assessments import release_stamps

    first, second = _stored_release(store, "1.0"), _stored_release(store, "2.0")
    with store.session() as s:
        stamps = tuple(st for st in release_stamps(s) if st.release_id in (first, second))
        reads = SharedReads(pending=stamps)
        ids = frozenset({"CVE-2014-0160"})
        assert [f.finding.component_ref for f in reads.findings(s, first, ids)] == ["openssl"]
        assert [c.name for c in reads.components(s, first, frozenset({"openssl"}))] == ["openssl"]
        # the second release's components were read ahead for its findings' refs ("openssl");
        # asked for another ref, it gets exactly that one (none such here), not the kept list
        assert reads.components(s, second, frozenset({"zlib"})) == []

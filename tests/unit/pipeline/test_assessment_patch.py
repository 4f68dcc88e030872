"""When a stored assessment may be updated finding by finding, and when only a full
recomputation is exact (the equality with a full recomputation on real feed data is checked in
tests/unit/watch/test_incremental.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from soupwatch.model import Product, Release
from soupwatch.pipeline.assessment_patch import changed_ids
from soupwatch.store import inventory
from soupwatch.store.assessments import save_scan, scan_marks
from soupwatch.store.change_index import newest_change
from soupwatch.store.db import Store
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

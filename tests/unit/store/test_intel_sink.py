"""StoreIntelSink keeps the sync's promises on SQLite and PostgreSQL: data and mark together."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from soupwatch.intel.interface import (
    Dataset,
    FeedEnding,
    KevCatalogue,
    RecordBatch,
    UnitMark,
)
from soupwatch.intel.records import ParsedRecord
from soupwatch.model import KevEntry
from soupwatch.store.db import Store

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _record(vid: str, summary: str) -> ParsedRecord:
    return ParsedRecord(vuln_id=vid, namespace="nvd", summary=summary, modified=NOW)


def test_unit_commits_records_with_their_file_mark(store: Store) -> None:
    sink = store.intel_sink()
    assert sink.start("nvd", NOW).cursor is None
    batch = RecordBatch([_record("CVE-2099-0001", "first")], source="nvd", origin="p1", stamp="s")
    assert sink.put("nvd", batch, UnitMark(file="nvd/p1", sha256="aa"), NOW) == 1
    assert sink.is_done("nvd", "nvd/p1", "aa")
    assert not sink.is_done("nvd", "nvd/p1", "bb")  # same file, new content: import again
    state = sink.finish("nvd", FeedEnding(Dataset.RECORDS, started=NOW, advance=True))
    assert (state.records, state.newest_record, state.last_sync) == (1, NOW, NOW)
    with store.session() as session:
        found = store.intel(session).vulnerabilities(["CVE-2099-0001"])
    assert found["CVE-2099-0001"].summary == "first"


def test_a_failed_unit_leaves_the_previous_data_and_cursor(store: Store) -> None:
    sink = store.intel_sink()
    sink.start("kev", NOW)
    old = KevCatalogue([KevEntry(cve="CVE-2099-0001", date_added=date(2026, 1, 2))])
    sink.put("kev", old, UnitMark(cursor={"next": 1}), NOW)
    twice = KevEntry(cve="CVE-2099-0002", date_added=date(2026, 1, 3))
    with pytest.raises(IntegrityError):  # the duplicate key fails inside the unit's transaction
        sink.put("kev", KevCatalogue([twice, twice]), UnitMark(cursor={"next": 2}), NOW)
    assert sink.start("kev", NOW).cursor == {"next": 1}
    with store.session() as session:
        kept = store.intel(session).vulnerabilities(["CVE-2099-0001", "CVE-2099-0002"])
    assert sorted(kept) == ["CVE-2099-0001"]
    assert kept["CVE-2099-0001"].kev is not None


def test_a_failure_keeps_data_and_last_sync(store: Store) -> None:
    sink = store.intel_sink()
    sink.start("nvd", NOW)
    batch = RecordBatch([_record("CVE-2099-0003", "kept")], source="nvd", origin="p", stamp="s")
    sink.put("nvd", batch, UnitMark(file="nvd/p", sha256="cc"), NOW)
    sink.finish("nvd", FeedEnding(Dataset.RECORDS, started=NOW, advance=True))
    sink.record_failure("nvd", "NVD answered 503", datetime(2026, 12, 2, tzinfo=UTC))
    with store.session() as session:
        (state,) = store.intel(session).feed_states()
        assert store.intel(session).knows("cve-2099-0003")
    assert (state.records, state.last_sync, state.last_error) == (1, NOW, "NVD answered 503")

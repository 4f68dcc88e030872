"""The incremental watch gives the same delta, and the same stored assessments, as a full
re-scan on a real feed change: the old NVD years synced first, then every NVD year and KEV
(two stores, same steps: the incremental one on PostgreSQL, the full one on SQLite).

Both stores hold every release's assessment from before the change, made the same day: the
incremental side brings them up to date finding by finding (``pipeline.assessment_patch``),
the full side recomputes them (a full scan since), and the two must agree."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from soupwatch.config import Settings
from soupwatch.jobs import JobKind, start_job
from soupwatch.model.job import JobState
from soupwatch.pipeline import assessment, assessment_patch, load_target, store_document, sync_feeds
from soupwatch.store.db import Store
from soupwatch.watch import rescan_portfolio
from soupwatch.watch.incremental import watch_changes
from soupwatch.watch.output import delta_json

from .conftest import T0, import_examples, old_openssl_sbom


def _mirror(feeds: Path, root: Path, last_year: int) -> Path:
    (root / "nvd-1.1").mkdir(parents=True, exist_ok=True)
    for path in sorted((feeds / "nvd-1.1").glob("nvdcve-1.1-*.json.gz")):
        stem = path.name.split("-")[2]
        year = int(stem) if stem.isdigit() else 9999  # the "modified" file comes last
        link = root / "nvd-1.1" / path.name
        if year <= last_year and not link.exists():
            link.symlink_to(path)
    for name in ("kev",):
        if not (root / name).exists():
            (root / name).symlink_to(feeds / name)
    return root


def _portfolio(url: str, home: Path, feeds: Path, tmp: Path) -> Store:
    store = Store.open(Settings(home=home, database_url=url))
    assert not sync_feeds(
        store, mirror=_mirror(feeds, home / "m", 2009), sources=["nvd-legacy"]
    ).failures
    import_examples(store)
    store_document(
        store, load_target(old_openssl_sbom(tmp)), "infusion-pump", "0.9", source="old", now=T0
    )
    first = rescan_portfolio(store, now=T0)  # the mark: everything synced so far is covered
    for r in first.releases:
        assessment(store, r.product, r.release, now=T0)  # stored, to be brought up to date
    mirror = _mirror(feeds, home / "m", 2100)
    assert not sync_feeds(store, mirror=mirror, sources=["nvd-legacy", "kev"]).failures
    return store


def _changed(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, list[tuple[str, str]]]]:
    return {
        (r["product"], r["release"]): {
            k: sorted((c["component_ref"], c["vulnerability"]) for c in r[k])
            for k in ("new", "resolved", "kev_added")
        }
        for r in data["releases"]
        if r["new"] or r["resolved"] or r["kev_added"]
    }


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # and SQLite: the full side
def test_incremental_equals_full_rescan(
    settings: Settings, feeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    inc_store = _portfolio(settings.database_url, tmp_path / "a", feeds, tmp_path)
    full_store = _portfolio(url, tmp_path / "b", feeds, tmp_path)
    patched: list[tuple[str, bool]] = []
    real_patch = assessment_patch.patch_many

    def noting(session: Any, items: Any, *args: Any) -> dict[int, dict[str, Any]]:
        written = real_patch(session, items, *args)
        patched.extend((i.stamp.release, i.stamp.release_id in written) for i in items)
        return written

    monkeypatch.setattr(assessment_patch, "patch_many", noting)
    try:
        now = T0 + timedelta(hours=1)  # the same day: the stored assessments can be patched
        # through the re-match job, as the watch runs in production: the job's own start is
        # audited, and that must not make the assessments stale (it did: every one was
        # recomputed from scratch)
        job = start_job(
            inc_store,
            Settings(home=tmp_path / "a", database_url=settings.database_url, now=now),
            JobKind.REMATCH,
            {},
            actor="test",
            now=now,
            wait=True,
        )
        assert job.state is JobState.DONE, job.error
        inc = job.result or {}
        # every touched release's assessment was updated in place, none recomputed
        assert patched and all(ok for _, ok in patched)
        assert len(patched) == len(inc["releases"])
        patched.clear()
        full = rescan_portfolio(full_store, now=now)
        assert _changed(inc) == _changed(delta_json(full))
        summary = inc["summary"]
        assert (summary["new"], summary["resolved"], summary["kev_added"]) == (
            full.new,
            full.resolved,
            full.kev_added,
        )
        assert summary["new"] > 0  # the later years bring CVEs (Heartbleed among them, KEV)
        # the batched re-match left stored assessments equal to the full re-scan's
        for r in inc["releases"]:
            got = assessment(inc_store, r["product"], r["release"], now=now)  # as patched
            want = assessment(full_store, r["product"], r["release"], now=now)  # recomputed
            assert got.counts == want.counts
            assert got.findings == want.findings
            assert (got.components, got.skipped) == (want.components, want.skipped)
            assert (got.unplaced, got.unmatched_vex) == (want.unplaced, want.unmatched_vex)
            assert [s.source for s in got.snapshot] == [s.source for s in want.snapshot]
        # on the full side a full scan came since: the patch declined every release
        assert patched and not any(ok for _, ok in patched)
        # the incremental run left the same findings: a full re-scan now finds nothing new
        again = rescan_portfolio(inc_store, now=now + timedelta(hours=1))
        assert (again.new, again.resolved, again.kev_added) == (0, 0, 0)
        # nothing changed since: the next incremental run matches nothing
        quiet = watch_changes(inc_store, now=now + timedelta(hours=2))
        assert quiet.releases == ()
    finally:
        inc_store.close()
        full_store.close()

"""The re-match job: the incremental watch in one job, or split in shares across workers.

A split job plans the run (the feed changes from the last mark up to now), starts one part
job per share and stays running; each part re-matches its share of the touched releases
(``watch.incremental.run_part``), queues and sends the notifications its releases' changes
select (``jobs.watching.notify_delta``, as the CLI's ``watch`` does) and keeps its releases'
deltas as its result. The part that finishes last (checked with the parent's row locked)
records the watch run with the plan's mark and finishes the parent with the whole delta:
exactly once, whichever worker it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from soupwatch.jobs.kinds import JobContext, JobOutcome
from soupwatch.jobs.watching import notify_delta
from soupwatch.model.job import JobKind, JobState
from soupwatch.store import job_repo
from soupwatch.store.db import Store
from soupwatch.store.watch_tables import record_run
from soupwatch.watch.incremental import (
    WatchPlan,
    affected_releases,
    plan,
    run_part,
    watch_changes,
)
from soupwatch.watch.output import delta_json, release_json


def _part_prefix(parent: int) -> str:
    return f"rematch-{parent}-part-"


def _progress(ctx: JobContext) -> Any:
    def step(done: int, total: int, what: str) -> None:
        ctx.progress(done / total if total else 1.0, what)

    return step


def run(ctx: JobContext) -> JobOutcome:
    """Run the re-match job ``ctx.job`` (whole, split, or one part)."""
    args = ctx.job.args
    if "part" in args:
        return _run_part(ctx)
    the_plan = plan(ctx.store)
    parts = int(args.get("parts", 1))
    if args.get("full") or the_plan.full or parts == 1:
        delta = watch_changes(
            ctx.store, now=ctx.now, full=bool(args.get("full")), progress=_progress(ctx)
        )
        notify_delta(ctx.store, delta.releases, now=ctx.now)
        result = delta_json(delta)
        result["affected_releases"] = [list(p) for p in affected_releases(delta.releases)]
        return JobOutcome(result)
    common = {
        "full": False,
        "parts": parts,
        "parent": ctx.job.id,
        "mark": the_plan.mark,
        "upto": the_plan.upto,
        "previous_run": the_plan.previous_run.isoformat() if the_plan.previous_run else None,
    }
    follow = tuple(
        (JobKind.REMATCH, {**common, "part": i}, f"{_part_prefix(ctx.job.id)}{i}")
        for i in range(parts)
    )
    ctx.progress(0.0, f"split in {parts} parts")
    return JobOutcome({"parts": parts}, follow_up=follow, pending=True)


def _run_part(ctx: JobContext) -> JobOutcome:
    args = ctx.job.args
    prev = args.get("previous_run")
    the_plan = WatchPlan(
        int(args["mark"]), int(args["upto"]), datetime.fromisoformat(prev) if prev else None
    )
    deltas = run_part(
        ctx.store,
        the_plan,
        now=ctx.now,
        part=int(args["part"]),
        parts=int(args["parts"]),
        progress=_progress(ctx),
    )
    notify_delta(ctx.store, deltas, now=ctx.now)  # each share notifies its own releases
    return JobOutcome({"part": args["part"], "releases": [release_json(d) for d in deltas]})


def complete_parent(store: Store, parent: int, now: datetime) -> bool:
    """Finish a split re-match when all its parts are done; True when this call finished it."""
    with store.session() as session:
        job = job_repo.lock_job(session, parent)
        if job.state.finished:
            return False
        parts = job_repo.jobs_with_key_prefix(session, _part_prefix(parent))
        if len(parts) < int(job.args.get("parts", 1)) or any(
            p.state is not JobState.DONE for p in parts
        ):
            return False
        releases = [r for p in parts for r in (p.result or {}).get("releases", [])]
        order = {(r["product"], r["release"]): i for i, r in enumerate(releases)}
        releases.sort(key=lambda r: (r["product"], order[(r["product"], r["release"])]))
        counts = {k: sum(len(r[k]) for r in releases) for k in ("new", "resolved", "kev_added")}
        upto = max(int(p.args["upto"]) for p in parts)
        record_run(
            session,
            now,
            None,
            (len(releases), counts["new"], counts["resolved"], counts["kev_added"]),
            upto,
        )
        prev = parts[0].args.get("previous_run")
        result = {
            "ran_at": now.isoformat(),
            "previous_run": prev,
            "summary": {
                "releases": len(releases),
                **counts,
                "failed": sum(1 for r in releases if r["error"]),
            },
            "releases": releases,
            "affected_releases": [
                [r["product"], r["release"]]
                for r in releases
                if r["new"] or r["resolved"] or r["kev_added"]
            ],
            "parts": [p.id for p in parts],
        }
        return job_repo.finish(session, parent, result, now)

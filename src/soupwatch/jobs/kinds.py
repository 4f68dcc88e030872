"""What each job kind does, who may start it, and how its arguments are checked.

One registry (``KINDS``): kind → :class:`KindSpec` (the function, the permission, the checker
of its arguments). Every function takes a :class:`JobContext` and returns a
:class:`JobOutcome`; it must be safe to run again after a crash (a redelivered job starts from
the top): feed syncs resume from their committed units, re-matching and assessments converge,
deliverables are rebuilt.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch.config import Settings
from soupwatch.errors import ConfigError
from soupwatch.model.access import Permission
from soupwatch.model.job import Job, JobKind
from soupwatch.store.db import Store

DELIVERABLES: dict[str, tuple[str, ...]] = {
    "fda": ("zip",),
    "soup": ("html", "csv", "json"),
    "mds2": ("json", "html"),
    "csaf": ("json",),
}
"""Deliverable kind → the formats it comes in (the first is the default)."""

MEDIA_TYPES = {
    "zip": "application/zip",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

MAX_PARTS = 16
"""The most shares a re-match may be split into (one per worker)."""


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a job produced: its result (JSON-able) and, for a deliverable, a file."""

    result: dict[str, Any]
    file_name: str | None = None
    media_type: str | None = None
    data: bytes | None = None
    follow_up: tuple[tuple[JobKind, dict[str, Any], str], ...] = field(default=())
    """Jobs to start once this one is done: (kind, args, idempotency key)."""
    pending: bool = False
    """True when the job waits for its follow-ups (a split re-match): the last of them
    finishes it."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job function gets: the store, the settings, its job row, the clock, progress."""

    store: Store
    settings: Settings
    job: Job
    now: datetime
    report: Callable[[float, str], None]

    def progress(self, fraction: float, message: str) -> None:
        """Record how far the job got (0..1) and what it is doing."""
        self.report(fraction, message)


def _text(args: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = args.get(name)
    if value is None:
        if required:
            raise ConfigError(f"job argument {name!r} is missing")
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ConfigError(
            f"job argument {name!r} must be a non-empty text of at most 255 characters"
        )
    return value


def _check_sync(args: dict[str, Any]) -> dict[str, Any]:
    from soupwatch.intel.sync import feed_names

    sources = args.get("sources")
    if sources is None:
        return {"sources": None}
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ConfigError("job argument 'sources' must be a list of feed names")
    unknown = sorted(set(sources) - set(feed_names()))
    if unknown:
        raise ConfigError(f"unknown feed {', '.join(unknown)}; known: {', '.join(feed_names())}")
    return {"sources": sorted(set(sources))}


def _check_rematch(args: dict[str, Any]) -> dict[str, Any]:
    full = args.get("full", False)
    parts = args.get("parts", 1)
    if not isinstance(full, bool):
        raise ConfigError("job argument 'full' must be true or false")
    if not isinstance(parts, int) or isinstance(parts, bool) or not 1 <= parts <= MAX_PARTS:
        raise ConfigError(f"job argument 'parts' must be a whole number from 1 to {MAX_PARTS}")
    out: dict[str, Any] = {"full": full, "parts": parts}
    for name in ("parent", "part", "mark", "upto"):
        if name in args:
            out[name] = args[name]
    if "previous_run" in args:
        out["previous_run"] = args["previous_run"]
    return out


def _check_assess(args: dict[str, Any]) -> dict[str, Any]:
    return {"product": _text(args, "product"), "release": _text(args, "release", required=False)}


def _check_deliverable(args: dict[str, Any]) -> dict[str, Any]:
    what = _text(args, "deliverable")
    assert what is not None
    if what not in DELIVERABLES:
        raise ConfigError(f"unknown deliverable {what!r}; known: {', '.join(DELIVERABLES)}")
    fmt = args.get("format") or DELIVERABLES[what][0]
    if fmt not in DELIVERABLES[what]:
        raise ConfigError(
            f"deliverable {what} comes as {', '.join(DELIVERABLES[what])}, not {str(fmt)[:40]!r}"
        )
    out = {
        "product": _text(args, "product"),
        "release": _text(args, "release"),
        "deliverable": what,
        "format": fmt,
    }
    if what == "csaf":
        from soupwatch.watch import check_vuln_id

        vuln = _text(args, "vulnerability")
        assert vuln is not None
        out["vulnerability"] = check_vuln_id(vuln)
    return out


def feed_sync(ctx: JobContext) -> JobOutcome:
    """Sync the feeds (all, or ``sources``) from the mirror; then re-match what changed."""
    from soupwatch.pipeline import sync_feeds

    def step(done: int, total: int | None, what: str) -> None:
        ctx.progress(done / total if total else 0.0, what)

    outcome = sync_feeds(
        ctx.store, mirror=ctx.settings.mirror, sources=ctx.job.args.get("sources"), progress=step
    )
    result = {
        "synced": [
            {"feed": r.source, "records": r.records, "warnings": len(r.warnings)}
            for r in outcome.results
        ],
        "failures": [{"feed": f, "error": e} for f, e in outcome.failures],
    }
    follow = ((JobKind.REMATCH, {"full": False, "parts": 1}, f"rematch-after-job-{ctx.job.id}"),)
    return JobOutcome(result, follow_up=follow if outcome.results else ())


def rematch(ctx: JobContext) -> JobOutcome:
    """The incremental watch (``watch_changes``), whole or one share of it (``part``)."""
    from soupwatch.jobs import rematch_parts

    return rematch_parts.run(ctx)


def assess(ctx: JobContext) -> JobOutcome:
    """Recompute (when stale) and store the assessment of a release or of every release."""
    from soupwatch.pipeline import release_summary
    from soupwatch.pipeline.inventory import list_releases

    product = str(ctx.job.args["product"])
    release = ctx.job.args.get("release")
    targets = [str(release)] if release else list_releases(ctx.store, product)
    rows = []
    for done, version in enumerate(targets, 1):
        summary = release_summary(ctx.store, product, version, now=ctx.now)
        rows.append({"release": version, "counts": summary.counts})
        ctx.progress(done / len(targets), f"assessed {product} {version}")
    return JobOutcome({"product": product, "releases": rows})


def deliverable(ctx: JobContext) -> JobOutcome:
    """Build a deliverable of a release and keep its file for download."""
    from soupwatch import pipeline

    a = ctx.job.args
    product, release, what, fmt = a["product"], a["release"], a["deliverable"], a["format"]
    stem = f"{product}-{release}-{what}".replace("/", "_")
    ctx.progress(0.1, f"assessing {product} {release}")
    if what == "fda":
        with tempfile.TemporaryDirectory() as tmp:
            files = pipeline.fda_package(ctx.store, product, release, Path(tmp), now=ctx.now)
            data = _zip(Path(tmp), files)
    elif what == "soup":
        data = pipeline.soup_list(ctx.store, product, release, fmt, now=ctx.now).encode()
    elif what == "mds2":
        data = pipeline.mds2_answers(ctx.store, product, release, fmt, now=ctx.now).encode()
    else:
        from soupwatch.report.advisory import AdvisoryMeta

        meta = AdvisoryMeta(now=ctx.now, publisher="", namespace="")
        doc = pipeline.csaf_advisory(
            ctx.store, product, a["vulnerability"], meta, releases=[release]
        )
        data = json.dumps(doc, indent=2, sort_keys=True).encode()
    name = f"{stem}.{fmt}"
    result = {"file": name, "bytes": len(data), "media_type": MEDIA_TYPES[fmt]}
    return JobOutcome(result, name, MEDIA_TYPES[fmt], data)


def _zip(root: Path, files: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One job kind: its function, the permission it needs, and its argument checker."""

    run: Callable[[JobContext], JobOutcome]
    permission: Permission
    check: Callable[[dict[str, Any]], dict[str, Any]]
    product_scoped: bool


KINDS: dict[JobKind, KindSpec] = {
    JobKind.FEED_SYNC: KindSpec(feed_sync, Permission.ADMINISTER, _check_sync, False),
    JobKind.REMATCH: KindSpec(rematch, Permission.ADMINISTER, _check_rematch, False),
    JobKind.ASSESS: KindSpec(assess, Permission.READ, _check_assess, True),
    JobKind.DELIVERABLE: KindSpec(deliverable, Permission.READ, _check_deliverable, True),
}
"""The one table of job kinds."""


def kind_of(text: str) -> JobKind:
    """A job kind by name; ConfigError listing the known ones."""
    try:
        return JobKind(text)
    except ValueError:
        known = ", ".join(k.value for k in JobKind)
        raise ConfigError(f"unknown job kind {text[:40]!r}; known: {known}") from None

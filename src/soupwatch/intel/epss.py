"""EPSS daily scores: ``#model_version:…,score_date:…`` then ``cve,epss,percentile`` rows.

Mirror: ``epss/*.csv`` or ``epss/*.csv.gz`` (the newest by name); HTTP: the published
``epss_scores-current.csv.gz``. The whole file is one transaction (delete + insert).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from soupwatch.errors import FeedFormatError, FeedLimitError
from soupwatch.intel.interface import Dataset, EpssScores, IntelSink, ProgressCallback, SyncResult
from soupwatch.intel.records import parse_date
from soupwatch.intel.run import FeedRun
from soupwatch.intel.source import FeedSource, maybe_gunzip, read_mirror_file, sha256_hex
from soupwatch.model import Epss
from soupwatch.untrusted import clean_text

EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
MAX_ROW_WARNINGS = 20


def _header(line: str) -> tuple[str | None, date | None]:
    fields = dict(part.split(":", 1) for part in line.lstrip("#").strip().split(",") if ":" in part)
    return fields.get("model_version"), parse_date(fields.get("score_date"))


def parse_csv(text: str, where: str, warn: Any) -> EpssScores:
    """The file's scores by CVE; a file without the ``cve,epss,percentile`` header, or that the
    CSV reader cannot read (a field over its size limit), raises FeedFormatError."""
    try:
        return _parse_csv(clean_text(text)[0], where, warn)
    except csv.Error as err:
        raise FeedFormatError(f"corrupt CSV: {err}", path=where) from err


def _parse_csv(text: str, where: str, warn: Any) -> EpssScores:
    lines = text.splitlines()
    model, scored = (None, None)
    if lines and lines[0].startswith("#"):
        model, scored = _header(lines[0])
        lines = lines[1:]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:3]] != ["cve", "epss", "percentile"]:
        raise FeedFormatError(
            "not an EPSS CSV (header is not cve,epss,percentile)",
            path=where,
            where="line 1" if model is None else "line 2",
        )
    rows: dict[str, Epss] = {}
    bad = 0
    for number, row in enumerate(reader, start=3 if model is not None else 2):
        try:
            cve, score, pct = row[0].strip(), float(row[1]), float(row[2])
            if not cve.startswith("CVE-") or not (0 <= score <= 1 and 0 <= pct <= 1):
                raise ValueError("out of range")
        except (IndexError, ValueError):
            bad += 1
            if bad <= MAX_ROW_WARNINGS:
                warn(f"{where} (line {number}): bad EPSS row {row!r}; skipped")
            continue
        rows[cve] = Epss(
            cve=cve, score=score, percentile=pct, model_version=model, score_date=scored
        )
    if bad > MAX_ROW_WARNINGS:
        warn(f"{where}: {bad - MAX_ROW_WARNINGS} more bad EPSS rows skipped")
    return EpssScores(scores=[rows[k] for k in sorted(rows)])


class EpssFeed:
    """FIRST EPSS daily scores."""

    name = "epss"

    def sync(
        self, sink: IntelSink, source: FeedSource, progress: ProgressCallback | None = None
    ) -> SyncResult:
        """Replace the scores when the file changed."""
        run = FeedRun(sink, self.name, source.clock, progress)
        if source.mirror is not None:
            files = sorted((source.mirror / "epss").glob("*.csv*"))
            if not files:
                run.warn(f"{source.mirror / 'epss'}: no EPSS CSV in the mirror")
                return run.finish(Dataset.EPSS, advance=False)
            raw, name = read_mirror_file(files[-1]), f"epss/{files[-1].name}"
        else:
            name = source.url(self.name, EPSS_URL)
            raw = source.get(name)
        sha = sha256_hex(raw)
        if run.is_done(name, sha):
            run.resumed = True
            return run.finish(Dataset.EPSS)
        try:
            text = maybe_gunzip(raw, name).decode("utf-8")
            scores = parse_csv(text, name, run.warn)
        except UnicodeDecodeError as err:
            run.warn(f"{name}: not UTF-8 text ({err.reason})")
            return run.finish(Dataset.EPSS, advance=False)
        except FeedLimitError:  # a limit stops the feed; a corrupt file is a warning
            raise
        except FeedFormatError as err:
            run.warn(str(err))
            return run.finish(Dataset.EPSS, advance=False)
        run.unit(scores, file=name, sha256=sha)
        run.tell(1, 1, name)
        return run.finish(Dataset.EPSS)

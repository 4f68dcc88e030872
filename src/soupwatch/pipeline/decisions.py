"""Flows of VEX decisions: record one, list, import a document, export a release.

The CLI (``soupwatch vex``) and the REST API (``/api/v1/vex``) call these and nothing else,
so both apply the same rules (:mod:`soupwatch.vex.rules`) and give the same verdict: the
same refusal naming the same field, or the same warnings next to a recorded decision.
Each flow is one transaction: a decision and its audit entry land together or not at all.
Concurrent writers are serialised by the store (:func:`soupwatch.store.decision_repo.lock`);
a writer that names the version it read gets a conflict instead of overwriting a newer one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch.errors import SoupwatchError
from soupwatch.model.vex import VexStatement
from soupwatch.store import inventory
from soupwatch.store.db import Session, Store
from soupwatch.vex import decisions, exchange
from soupwatch.vex.document import ImportTarget
from soupwatch.vex.rules import (
    check_statement,
    check_target,
    refuse,
    unknown_vulnerability_warning,
)

VEX_FORMATS = tuple(sorted(exchange.WRITERS))
"""The formats :func:`export_vex` writes: ``csaf``, ``cyclonedx``, ``openvex``."""


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """A decision as stored (with its id), and what was recorded despite doubts."""

    statement: VexStatement
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportedVex:
    """A VEX document of one release, and what the caller should be told about it."""

    document: dict[str, Any]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionInput:
    """One decision to record: the statement, why (audit reason), the version it replaces.

    ``expected_version``: the version of the decision the writer read (0: it saw none). When
    another writer has recorded one since, the write is refused with
    :class:`~soupwatch.errors.DecisionConflict`; None records it as the next version.
    """

    statement: VexStatement
    reason: str
    expected_version: int | None = None
    path: str | None = None
    """Where the decision was read (a refusal names it), e.g. the decisions file."""
    where: str | None = None
    """The place in ``path``, e.g. ``line 7``."""


@contextmanager
def _named(item: DecisionInput) -> Iterator[None]:
    """A refusal of ``item`` names the file and line it came from."""
    try:
        yield
    except SoupwatchError as err:
        if item.path is not None:
            err.path = item.path
            err.where = ", ".join(w for w in (item.where, err.where) if w)
            err.args = (str(err),)
        raise


def record_decision(
    store: Store,
    statement: VexStatement,
    *,
    actor: str,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> RecordedDecision:
    """Check a decision against every rule, then record it with its audit entry.

    Raises :class:`~soupwatch.errors.VexError` for a broken rule,
    :class:`~soupwatch.errors.NotFoundError` for an unknown product (or release, for release
    scope) and :class:`~soupwatch.errors.DecisionConflict` when ``expected_version`` is not
    the stored one; nothing is stored then. A vulnerability the synced feeds do not know and a
    component the target does not ship are recorded, with a warning each.
    """
    item = DecisionInput(statement, reason, expected_version)
    return record_decisions(store, [item], actor=actor, now=now)[0]


def record_decisions(
    store: Store, items: Sequence[DecisionInput], *, actor: str, now: datetime
) -> list[RecordedDecision]:
    """Record many decisions in ONE transaction (all or none), each with its audit entry.

    Every statement is checked first (the rules of :func:`record_decision`); the first
    refusal or conflict stores nothing. One transaction and one lock for the lot: this is
    the fast path for many decisions (``soupwatch vex apply``).
    """
    for item in items:
        with _named(item):
            check_statement(item.statement, today=now.date(), require_justification=True)
    recorded: list[RecordedDecision] = []
    with store.session() as session:
        checked = []
        for item in items:
            with _named(item):
                checked.append((item, check_target(session, item.statement)))
        known = [_known(store, session, item.statement) for item in items]
        for (item, target), is_known in zip(checked, known, strict=True):
            with _named(item):
                saved = decisions.set_decision(
                    session,
                    item.statement,
                    actor=actor,
                    reason=item.reason,
                    now=now,
                    require_justification=True,
                    expected_version=item.expected_version,
                )
            unknown = [] if is_known else [unknown_vulnerability_warning(item.statement)]
            warnings = unknown + target
            recorded.append(RecordedDecision(saved, tuple(warnings)))
    return recorded


def _known(store: Store, session: Session, statement: VexStatement) -> bool:
    """True when a synced feed has a record of the id or lists it as an alias."""
    text = statement.vulnerability.strip()
    return bool(text) and store.intel(session).knows(text)


def list_decisions(
    store: Store,
    *,
    product: str | None = None,
    release: str | None = None,
    vulnerability: str | None = None,
) -> list[VexStatement]:
    """Decisions, sorted; those that can reach ``product``/``release`` when given.

    An unknown product is a :class:`~soupwatch.errors.NotFoundError`.
    """
    with store.session() as session:
        if product is not None:
            inventory.get_product(session, product)
        return decisions.list_decisions(
            session, product=product, release=release, vulnerability=vulnerability
        )


def import_vex(
    store: Store, path: Path, target: ImportTarget, *, actor: str, reason: str, now: datetime
) -> exchange.ImportReport:
    """Store every statement of a CycloneDX, OpenVEX or CSAF file, audited, in one transaction."""
    with store.session() as session:
        return exchange.import_file(session, path, target, actor=actor, reason=reason, now=now)


def export_vex(
    store: Store, product: str, release: str, fmt: str, *, author: str, now: datetime
) -> ExportedVex:
    """The decisions that reach one release as a VEX document in ``fmt``.

    An unknown format is a :class:`~soupwatch.errors.VexError`, an unknown product a
    :class:`~soupwatch.errors.NotFoundError`; an unknown release is exported (what reaches
    it through product and component decisions) with a warning.
    """
    if fmt not in exchange.WRITERS:
        raise refuse("format", f"unknown format {fmt!r}; choose from {', '.join(VEX_FORMATS)}")
    warnings: list[str] = []
    with store.session() as session:
        if release not in inventory.list_releases(session, product):
            warnings.append(
                f"release: product {product!r} has no release {release!r}; "
                "exporting what reaches it"
            )
        doc = exchange.export_release(session, product, release, fmt, author=author, now=now)
    return ExportedVex(doc, tuple(warnings))

"""VEX documents in and out: format detection, the writer/reader registry, import and export.

Export takes the decisions that reach one release (release-scoped ones for it, the product's,
and component-scoped ones for components the release contains), keeping only the most
specific per (vulnerability, component). Import stores every statement through
:func:`soupwatch.vex.decisions.set_decision`, so each lands in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch.config import input_limits
from soupwatch.errors import StoreError, VexError
from soupwatch.model.vex import VexScope, VexStatement
from soupwatch.store import inventory
from soupwatch.store.db import Session
from soupwatch.untrusted import read_json
from soupwatch.vex import csaf, cyclonedx_vex, openvex
from soupwatch.vex.decisions import list_decisions, set_decision
from soupwatch.vex.document import ImportedVex, ImportTarget, VexContext

Writer = Callable[[list[VexStatement], VexContext], dict[str, Any]]
Reader = Callable[..., ImportedVex]
"""``read(doc, target, *, path)`` of a format module."""

WRITERS: dict[str, Writer] = {
    cyclonedx_vex.FORMAT: cyclonedx_vex.export,
    openvex.FORMAT: openvex.export,
    csaf.FORMAT: csaf.export,
}
"""Format name → exporter; the ``--format`` choices of ``soupwatch vex export``."""

_READERS: dict[str, Reader] = {
    cyclonedx_vex.FORMAT: cyclonedx_vex.read,
    openvex.FORMAT: openvex.read,
    csaf.FORMAT: csaf.read,
}


def detect(doc: Any, *, path: str) -> str:
    """The VEX format of a parsed JSON document, from its content."""
    if isinstance(doc, dict):
        if doc.get("bomFormat") == "CycloneDX":
            return cyclonedx_vex.FORMAT
        if "openvex" in str(doc.get("@context", "")):
            return openvex.FORMAT
        if isinstance(doc.get("document"), dict) and "csaf_version" in doc["document"]:
            return csaf.FORMAT
    raise VexError("not a VEX document we know (CycloneDX, OpenVEX or CSAF 2.0 JSON)", path=path)


def load(path: Path) -> tuple[str, dict[str, Any]]:
    """Read a file within the run's input limits and detect its format; errors name the file
    and line. NUL and lone surrogates in strings are replaced by U+FFFD (no export carries them)."""
    limits = input_limits()

    def fail(message: str, where: str | None) -> VexError:
        return VexError(message, path=str(path), where=where)

    doc, _cleaned = read_json(path, limits, fail)
    return detect(doc, path=str(path)), doc


def read_file(path: Path, target: ImportTarget) -> ImportedVex:
    """Statements of a VEX file, placed on the target product/release."""
    fmt, doc = load(path)
    try:
        return _READERS[fmt](doc, target, path=str(path))
    except (AttributeError, LookupError, TypeError, ValueError, ArithmeticError) as err:
        # a shape no reader rule foresaw (a string where an object belongs): one line, no trace
        raise VexError(
            f"unexpected {fmt} structure ({err.__class__.__name__}: {err})", path=str(path)
        ) from err
    except RecursionError as err:
        raise VexError(f"{fmt} document nested too deeply", path=str(path)) from err


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import stored."""

    format: str
    stored: tuple[VexStatement, ...]
    warnings: tuple[str, ...]


def import_file(
    session: Session, path: Path, target: ImportTarget, *, actor: str, reason: str, now: datetime
) -> ImportReport:
    """Read a VEX file and store each statement as an audited decision (one transaction)."""
    imported = read_file(path, target)
    stored = []
    for i, s in enumerate(imported.statements):
        try:
            stored.append(set_decision(session, s, actor=actor, reason=reason, now=now))
        except VexError as err:
            raise VexError(
                f"statement {i + 1} ({s.vulnerability}): {err.message}", path=str(path)
            ) from err
    return ImportReport(imported.format, tuple(stored), imported.warnings)


def statements_for_export(session: Session, product: str, release: str) -> list[VexStatement]:
    """The most specific decision per (vulnerability, component) that reaches this release."""
    try:
        rel = inventory.get_release(session, product, release)
        present = {(c.name.lower(), c.version or "") for c in rel.components}
    except StoreError:
        present = set()
    best: dict[tuple[str, str, str], VexStatement] = {}
    rank = {VexScope.RELEASE: 0, VexScope.PRODUCT: 1, VexScope.COMPONENT: 2}
    for s in list_decisions(session, product=product, release=release):
        if (
            s.scope is VexScope.COMPONENT
            and ((s.component_name or "").lower(), s.component_version or "") not in present
        ):
            continue
        key = (s.vulnerability, (s.component_name or "").lower(), s.component_version or "")
        if key not in best or rank[s.scope] < rank[best[key].scope]:
            best[key] = s
    return [best[k] for k in sorted(best)]


def export_release(
    session: Session, product: str, release: str, fmt: str, *, author: str, now: datetime
) -> dict[str, Any]:
    """One release's decisions as a VEX document in ``fmt``."""
    if fmt not in WRITERS:
        raise VexError(f"unknown VEX format {fmt!r}; choose from {', '.join(sorted(WRITERS))}")
    try:
        manufacturer = inventory.get_product(session, product).manufacturer
    except StoreError:
        manufacturer = None
    ctx = VexContext(
        product=product, release=release, author=author, now=now, manufacturer=manufacturer
    )
    return WRITERS[fmt](statements_for_export(session, product, release), ctx)

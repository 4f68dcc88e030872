"""Coordinated vulnerability disclosure: a report received without an account, its tracking
id, the status its reporter may see, and product security's triage (docs/disclosure.md).

The rules live here, once, for the HTML form, the API and the CLI: field limits and
characters (:func:`check_report`), the per-address rate limit (:class:`IntakeLimits`), what a
tracking id reveals (:class:`~soupwatch.model.disclosure.DisclosureStatusView`: the status and
the public note, nothing else), and triage changes (:func:`triage`). The tracking id is 192
random bits; only its SHA-256 is stored, and a SHA-256 of the client address only for the rate
limit's window (then blanked).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from soupwatch.errors import DisclosureError, NotFoundError, Throttled
from soupwatch.model.disclosure import DisclosureReport, DisclosureStatus, DisclosureStatusView
from soupwatch.store import finding_repo, provider_repo
from soupwatch.store.db import Store
from soupwatch.vex import audit

REPORTER = "anonymous reporter"
"""The audit actor of a report received without an account."""
FIELD_LIMITS = {
    "title": 200,
    "description": 20_000,
    "reporter_name": 200,
    "reporter_contact": 320,
    "product": 255,
    "public_note": 4_000,
    "internal_note": 20_000,
}
"""Longest accepted value of each field (characters)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ONE_LINE = re.compile(r"[\r\n\t]")
_CONTACT = re.compile(r"^(?:[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+|https://[^\s<>\"]+)$")
_VULN = re.compile(r"^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9.:_-]{0,46}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """How many reports one client address may send per window, and the largest body."""

    per_address: int = 5
    window: timedelta = timedelta(hours=1)
    max_body_bytes: int = 64 * 1024


@dataclass(frozen=True, slots=True)
class NewReport:
    """What a reporter sends (checked by :func:`check_report`)."""

    title: str
    description: str
    reporter_name: str = ""
    reporter_contact: str = ""
    product: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    """The acknowledgement: the tracking id (shown once, never stored) and the status."""

    tracking_id: str
    status: DisclosureStatus
    received_at: datetime


def _text(field: str, value: str, *, multiline: bool = False, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise DisclosureError(f"{field} is required", where=field)
    if len(value) > FIELD_LIMITS[field]:
        raise DisclosureError(
            f"{field} is longer than {FIELD_LIMITS[field]} characters", where=field
        )
    if _CONTROL.search(value) or (not multiline and _ONE_LINE.search(value)):
        raise DisclosureError(f"{field} holds control characters", where=field)
    return value


def check_report(report: NewReport) -> NewReport:
    """The report with its fields stripped; DisclosureError naming the first bad field."""
    contact = _text("reporter_contact", report.reporter_contact)
    if contact and not _CONTACT.match(contact):
        raise DisclosureError(
            "reporter_contact must be an e-mail address or an https:// URL",
            where="reporter_contact",
        )
    return NewReport(
        title=_text("title", report.title, required=True),
        description=_text("description", report.description, multiline=True, required=True),
        reporter_name=_text("reporter_name", report.reporter_name),
        reporter_contact=contact,
        product=_text("product", report.product),
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def submit(
    store: Store, report: NewReport, *, client: str, limits: IntakeLimits, now: datetime
) -> Receipt:
    """Store a report from ``client`` (its address), audited ``disclosure.receive``; Throttled
    when the address sent ``limits.per_address`` reports within ``limits.window``."""
    report = check_report(report)
    client_digest = _digest(f"client:{client}")
    token = secrets.token_urlsafe(24)
    with store.session() as session:
        provider_repo.forget_clients(session, now - limits.window)
        recent = provider_repo.reports_since(session, client_digest, now - limits.window)
        if recent >= limits.per_address:
            raise Throttled(
                f"too many reports from this address (at most {limits.per_address} per "
                f"{int(limits.window.total_seconds() // 60)} minutes); try again later",
                retry_after=int(limits.window.total_seconds()),
            )
        stored = provider_repo.add_report(
            session,
            tracking_digest=_digest(token),
            client_digest=client_digest,
            title=report.title,
            description=report.description,
            reporter_name=report.reporter_name,
            reporter_contact=report.reporter_contact,
            product_hint=report.product,
            now=now,
        )
        audit.append(
            session,
            REPORTER,
            "disclosure.receive",
            f"disclosure:{stored.number}",
            None,
            {"title": stored.title, "product": stored.product_hint},
            "coordinated vulnerability disclosure received",
            now,
        )
    return Receipt(token, stored.status, stored.received_at)


def report_status(store: Store, tracking_id: str) -> DisclosureStatusView:
    """What a tracking id shows; NotFoundError (the same answer) for any unknown or malformed
    id, so a guess learns nothing."""
    found = None
    if _TOKEN.match(tracking_id):
        with store.session() as session:
            found = provider_repo.report_by_tracking(session, _digest(tracking_id))
    if found is None:
        raise NotFoundError("no disclosure report has this tracking id")
    return DisclosureStatusView(
        status=found.status,
        public_note=found.public_note,
        received_at=found.received_at,
        updated_at=found.updated_at,
    )


def _sees(report: DisclosureReport, visible: frozenset[str] | None) -> bool:
    return visible is None or report.product is None or report.product in visible


def list_reports(store: Store, visible: frozenset[str] | None) -> list[DisclosureReport]:
    """Reports, newest first: unlinked ones and those linked to a product in ``visible``
    (None: all)."""
    with store.session() as session:
        return [r for r in provider_repo.reports(session) if _sees(r, visible)]


def get_report(store: Store, number: int, visible: frozenset[str] | None) -> DisclosureReport:
    """Report ``number``; NotFoundError when there is none or it is linked to a product the
    caller may not see."""
    with store.session() as session:
        found = provider_repo.report(session, number)
    if not _sees(found, visible):
        raise NotFoundError(f"no disclosure report number {number}")
    return found


def _triage_json(r: DisclosureReport) -> dict[str, Any]:
    return {
        "status": r.status.value,
        "product": r.product,
        "vulnerability": r.vulnerability,
        "public_note": r.public_note,
        "internal_note": r.internal_note,
    }


def triage(
    store: Store,
    number: int,
    changes: dict[str, Any],
    *,
    visible: frozenset[str] | None,
    actor: str,
    now: datetime,
) -> DisclosureReport:
    """Apply triage ``changes`` (``status``, ``product``, ``vulnerability``, ``public_note``,
    ``internal_note``; a None product or vulnerability unlinks), audited ``disclosure.triage``.
    A linked product must be one the caller sees; a linked vulnerability a stored finding of
    that product. Back to ``received`` is refused."""
    unknown = sorted(set(changes) - {*_triage_json_keys()})
    if unknown:
        raise DisclosureError(f"unknown field {unknown[0]!r}", where=unknown[0])
    with store.session() as session:
        before = provider_repo.report(session, number)
        if not _sees(before, visible):
            raise NotFoundError(f"no disclosure report number {number}")
        after = _changed(session, before, changes, visible)
        if after == before:
            return before
        after = replace(after, updated_at=now)
        provider_repo.update_report(session, after)
        audit.append(
            session,
            actor,
            "disclosure.triage",
            f"disclosure:{number}",
            _triage_json(before),
            _triage_json(after),
            "disclosure triage",
            now,
        )
    return after


def _triage_json_keys() -> tuple[str, ...]:
    return ("status", "product", "vulnerability", "public_note", "internal_note")


def _changed(
    session: Any,
    before: DisclosureReport,
    changes: dict[str, Any],
    visible: frozenset[str] | None,
) -> DisclosureReport:
    after = before
    if "status" in changes:
        try:
            new = DisclosureStatus(changes["status"])
        except ValueError as err:
            choices = ", ".join(s.value for s in DisclosureStatus)
            raise DisclosureError(f"status must be one of {choices}", where="status") from err
        if new is DisclosureStatus.RECEIVED and before.status is not new:
            raise DisclosureError("a triaged report does not go back to received", where="status")
        after = replace(after, status=new)
    if "public_note" in changes:
        note = _text("public_note", str(changes["public_note"] or ""), multiline=True)
        after = replace(after, public_note=note)
    if "internal_note" in changes:
        note = _text("internal_note", str(changes["internal_note"] or ""), multiline=True)
        after = replace(after, internal_note=note)
    if "product" in changes:
        product = changes["product"]
        if product is not None:
            product = _text("product", str(product), required=True)
            if visible is not None and product not in visible:
                raise NotFoundError(f"no product named {product!r}")
            from soupwatch.store import inventory

            inventory.get_product(session, product)  # NotFoundError for an unknown product
        after = replace(
            after, product=product, vulnerability=None if product is None else after.vulnerability
        )
    if "vulnerability" in changes:
        after = replace(
            after, vulnerability=_vulnerability(session, after, changes["vulnerability"])
        )
    return after


def _vulnerability(session: Any, report: DisclosureReport, value: Any) -> str | None:
    if value is None:
        return None
    vuln = str(value).strip().upper()
    if not _VULN.match(vuln):
        raise DisclosureError(
            f"{vuln!r} is not a vulnerability id (CVE-…, GHSA-…)", where="vulnerability"
        )
    if report.product is None:
        raise DisclosureError(
            "link the report to a product before a finding", where="vulnerability"
        )
    found = finding_repo.findings_of_vulnerability(session, vuln)
    if not any(f.product == report.product for f in found):
        raise DisclosureError(
            f"product {report.product!r} has no finding of {vuln}", where="vulnerability"
        )
    return vuln

"""The rules a VEX decision must follow: one set for the CLI, the REST API and imports.

Every refusal is a :class:`~soupwatch.errors.VexError` (an unknown product or release a
:class:`~soupwatch.errors.NotFoundError`) whose message starts with the field it is about
(``justification: …``) and whose ``where`` is that field, so both edges name the same field.

Refused:

- no vulnerability id (``vulnerability``);
- ``product`` scope (the default) without a product; ``release`` scope without a product and
  a release; ``component`` scope without a component name and version (``component``);
- ``not_affected`` without a justification (``justification``). CycloneDX
  ``analysis.justification`` and OpenVEX ``justification`` give the vocabulary. Documents
  being imported may instead carry an impact statement (kept as ``detail``), as OpenVEX allows;
- a justification on any state but ``not_affected`` and ``false_positive``: a justification
  explains why a product is not affected; a false positive is a kind of not-affected (it is
  exported as OpenVEX ``not_affected`` / CSAF ``known_not_affected``, see
  :mod:`soupwatch.vex.mapping`), so it may carry one;
- an expiry that is not a YYYY-MM-DD date, or not strictly after today (UTC) (``expires``);
- a product the store does not know; for ``release`` scope, a release the product lacks.

Recorded with a warning (a team may triage ahead of an import or a feed sync): a vulnerability
the synced feeds do not know, and a component the product or release does not ship.
"""

from __future__ import annotations

from datetime import date

from soupwatch.errors import NotFoundError, VexError
from soupwatch.model import Component
from soupwatch.model.vex import VexScope, VexState, VexStatement
from soupwatch.store import inventory
from soupwatch.store.db import Session

JUSTIFIABLE = frozenset({VexState.NOT_AFFECTED, VexState.FALSE_POSITIVE})
"""The states a justification may explain."""


def refuse(field: str, message: str) -> VexError:
    """The error for a broken rule: the message starts with the field, ``where`` is the field."""
    return VexError(f"{field}: {message}", where=field)


def parse_expiry(value: str | None) -> date | None:
    """An expiry as given by a user (``YYYY-MM-DD``); None when none was given."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as err:
        raise refuse("expires", f"not a date (YYYY-MM-DD): {value!r}") from err


def check_statement(s: VexStatement, *, today: date, require_justification: bool = True) -> None:
    """Refuse a statement that breaks a rule needing no store; the first broken rule wins.

    ``require_justification=False`` is for imported documents: a ``not_affected`` statement
    may then explain itself with a detail (OpenVEX ``impact_statement``) instead.
    """
    if not s.vulnerability.strip():
        raise refuse("vulnerability", "a VEX decision needs a vulnerability id")
    if s.scope in (VexScope.PRODUCT, VexScope.RELEASE) and not (s.product or "").strip():
        raise refuse("product", f"a {s.scope.value}-scoped decision needs a product")
    if s.scope is VexScope.RELEASE and not (s.release or "").strip():
        raise refuse("release", "a release-scoped decision needs a release (--scope release)")
    if s.scope is VexScope.COMPONENT and not (s.component_name and s.component_version):
        raise refuse("component", "a component-scoped decision needs a component name and version")
    explained = s.justification is not None or (not require_justification and s.detail)
    if s.state is VexState.NOT_AFFECTED and not explained:
        raise refuse(
            "justification",
            "a not_affected decision needs a justification (why the product is not "
            "affected: code_not_present, code_not_reachable, …)",
        )
    if s.justification is not None and s.state not in JUSTIFIABLE:
        raise refuse(
            "justification",
            f"a justification explains not_affected (or false_positive), not {s.state.value}",
        )
    if s.expires is not None and s.expires <= today:
        raise refuse(
            "expires",
            f"the expiry date {s.expires.isoformat()} is not in the future "
            f"(it must be after {today.isoformat()}, UTC)",
        )


def check_target(session: Session, s: VexStatement) -> list[str]:
    """Refuse an unknown product (or release, for release scope); warn about the component.

    Returns the warnings (empty when the product or release ships the component).
    """
    if s.scope is VexScope.COMPONENT:
        wanted = list(inventory.iter_all_releases(session))
        where = "any stored release"
    else:
        product = s.product or ""
        try:
            versions = inventory.list_releases(session, product)
        except NotFoundError as err:
            raise NotFoundError(
                f"product: no product named {product!r} (soupwatch products list)",
                where="product",
            ) from err
        if s.scope is VexScope.RELEASE and s.release not in versions:
            raise NotFoundError(
                f"release: product {product!r} has no release {s.release!r}", where="release"
            )
        picked = [s.release or ""] if s.scope is VexScope.RELEASE else versions
        wanted = [(product, v) for v in picked]
        where = f"any release of {product}"
        if s.scope is VexScope.RELEASE:
            where = f"{product} {s.release}"
    if not s.component_name:
        return []
    components = [c for p, v in wanted for c in inventory.get_release(session, p, v).components]
    problem = component_warning(s, components, where)
    return [problem] if problem else []


def component_warning(s: VexStatement, components: list[Component], where: str) -> str | None:
    """Why ``s``'s component is not among ``components`` (None when it is)."""
    name = (s.component_name or "").lower()
    same = [c for c in components if c.name.lower() == name]
    label = f"{s.component_name}@{s.component_version}" if s.component_version else name
    if not same:
        return f"component: no component {s.component_name!r} in {where}"
    if s.component_version and all(c.version != s.component_version for c in same):
        shipped = ", ".join(sorted({c.version or "?" for c in same}))
        return f"component: {where} ships {s.component_name} {shipped}, not {label}"
    return None


def unknown_vulnerability_warning(s: VexStatement) -> str:
    """The warning for a vulnerability id no synced feed knows."""
    return (
        f"vulnerability: {s.vulnerability} is unknown to the synced feeds (mistyped, or not "
        "synced yet: soupwatch db update)"
    )

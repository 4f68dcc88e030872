"""VEX statements: identity keys and the JSON form kept in the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from soupwatch.model.vex import (
    VexJustification,
    VexResponse,
    VexScope,
    VexState,
    VexStatement,
)


def decision_key(s: VexStatement) -> str:
    """The subject a decision is about; a second decision with the same key replaces the first."""
    parts = (
        s.scope.value,
        s.product or "" if s.scope is not VexScope.COMPONENT else "",
        s.release or "" if s.scope is VexScope.RELEASE else "",
        (s.component_name or "").lower(),
        s.component_version or "",
        s.vulnerability.upper(),
    )
    return "|".join(parts)


def subject(s: VexStatement) -> str:
    """How the audit log names a decision: ``vex:<vuln>@<component>@<scope target>``."""
    comp = s.component_name or "*"
    if s.component_version:
        comp += f"@{s.component_version}"
    target = {
        VexScope.RELEASE: f"{s.product}/{s.release}",
        VexScope.PRODUCT: f"{s.product}",
        VexScope.COMPONENT: "any-product",
    }[s.scope]
    return f"vex:{s.vulnerability} {comp} {s.scope.value}:{target}"


def from_json(d: dict[str, Any]) -> VexStatement:
    """Inverse of ``soupwatch.model.shapes.decision_json``."""
    return VexStatement(
        vulnerability=d["vulnerability"],
        state=VexState(d["state"]),
        scope=VexScope(d["scope"]),
        product=d.get("product"),
        release=d.get("release"),
        component_name=d.get("component_name"),
        component_version=d.get("component_version"),
        component_purl=d.get("component_purl"),
        justification=VexJustification(d["justification"]) if d.get("justification") else None,
        responses=tuple(VexResponse(r) for r in d.get("responses") or ()),
        detail=d.get("detail"),
        author=d.get("author"),
        created=datetime.fromisoformat(d["created"]) if d.get("created") else None,
        expires=date.fromisoformat(d["expires"]) if d.get("expires") else None,
        id=d.get("id"),
        aliases=tuple(d.get("aliases") or ()),
    )


def sort_key(s: VexStatement) -> tuple[str, ...]:
    """Stable order for everything we emit."""
    return (
        s.vulnerability,
        (s.component_name or "").lower(),
        s.component_version or "",
        s.scope.value,
        s.product or "",
        s.release or "",
    )

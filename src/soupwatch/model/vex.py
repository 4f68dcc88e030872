"""VEX vocabulary, spelled as CycloneDX spells it.

See https://cyclonedx.org/docs/1.6/json/#vulnerabilities_items_analysis
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class VexState(StrEnum):
    """CycloneDX ``analysis.state``."""

    RESOLVED = "resolved"
    RESOLVED_WITH_PEDIGREE = "resolved_with_pedigree"
    EXPLOITABLE = "exploitable"
    IN_TRIAGE = "in_triage"
    FALSE_POSITIVE = "false_positive"
    NOT_AFFECTED = "not_affected"

    @property
    def closes_finding(self) -> bool:
        """True when the finding leaves the open list."""
        return self in (
            VexState.RESOLVED,
            VexState.RESOLVED_WITH_PEDIGREE,
            VexState.FALSE_POSITIVE,
            VexState.NOT_AFFECTED,
        )


class VexJustification(StrEnum):
    """CycloneDX ``analysis.justification``."""

    CODE_NOT_PRESENT = "code_not_present"
    CODE_NOT_REACHABLE = "code_not_reachable"
    REQUIRES_CONFIGURATION = "requires_configuration"
    REQUIRES_DEPENDENCY = "requires_dependency"
    REQUIRES_ENVIRONMENT = "requires_environment"
    PROTECTED_BY_COMPILER = "protected_by_compiler"
    PROTECTED_AT_RUNTIME = "protected_at_runtime"
    PROTECTED_AT_PERIMETER = "protected_at_perimeter"
    PROTECTED_BY_MITIGATING_CONTROL = "protected_by_mitigating_control"


class VexResponse(StrEnum):
    """CycloneDX ``analysis.response``."""

    CAN_NOT_FIX = "can_not_fix"
    WILL_NOT_FIX = "will_not_fix"
    UPDATE = "update"
    ROLLBACK = "rollback"
    WORKAROUND_AVAILABLE = "workaround_available"


class VexScope(StrEnum):
    """How far a decision reaches."""

    RELEASE = "release"
    PRODUCT = "product"
    COMPONENT = "component"
    """Every product and release with this component name and version."""


class ApprovalState(StrEnum):
    """Where a decision is in the four-eyes review (docs/vex.md, "Approval")."""

    PROPOSED = "proposed"
    """Recorded, not yet approved or rejected in its current version."""
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Approval:
    """The review verdict on one version of a decision: who approved or rejected it, when, why.

    A decision whose current version has no verdict is ``proposed``: a change to an approved
    decision makes a new version, which needs a new approval.
    """

    state: ApprovalState
    decision_version: int | None = None
    """The version of the decision the verdict names (None while proposed)."""
    by: str | None = None
    at: datetime | None = None
    reason: str | None = None

    @property
    def approved(self) -> bool:
        """True when the current version of the decision is approved."""
        return self.state is ApprovalState.APPROVED

    def text(self) -> str:
        """The state in words, as reports and the API show it: ``approved by X on D``."""
        if self.state is ApprovalState.PROPOSED or self.at is None:
            return "not yet approved"
        return f"{self.state.value} by {self.by} on {self.at.date().isoformat()}"


PROPOSED = Approval(ApprovalState.PROPOSED)
"""The approval of a decision without a verdict on its current version."""


@dataclass(frozen=True, slots=True)
class DecisionComment:
    """One comment on a VEX decision (audited ``vex.comment``)."""

    id: int
    decision_id: int
    decision_version: int
    """The version of the decision the comment was written on."""
    author: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class VexStatement:
    """One triage decision about a vulnerability in a component."""

    vulnerability: str
    state: VexState
    scope: VexScope
    product: str | None = None
    release: str | None = None
    component_name: str | None = None
    component_version: str | None = None
    component_purl: str | None = None
    justification: VexJustification | None = None
    responses: tuple[VexResponse, ...] = ()
    detail: str | None = None
    author: str | None = None
    created: datetime | None = None
    expires: date | None = None
    id: int | None = None
    aliases: tuple[str, ...] = ()
    """Other ids of the same vulnerability (GHSA-…, OSV ids) the decision also covers."""
    version: int | None = None
    """The stored decision's version: 1 when first recorded, +1 per decision recorded over it
    (None before it is stored). Give it back as the expected version to write over it safely."""
    approval: Approval | None = None
    """The review verdict on this version (None: not read from the store, or not stored)."""

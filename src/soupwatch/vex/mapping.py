"""The one table between soupwatch's (CycloneDX's) VEX vocabulary and OpenVEX / CSAF.

=========================  =====================  ======================
CycloneDX ``analysis.state``  OpenVEX ``status``    CSAF ``product_status``
=========================  =====================  ======================
not_affected               not_affected           known_not_affected
false_positive             not_affected *         known_not_affected *
resolved                   fixed                  fixed
resolved_with_pedigree     fixed *                fixed *
exploitable                affected               known_affected
in_triage                  under_investigation    under_investigation
=========================  =====================  ======================

Justifications map to the five labels OpenVEX and CSAF share (CSAF ``flags[].label``)::

    code_not_present                 -> vulnerable_code_not_present
    code_not_reachable               -> vulnerable_code_not_in_execute_path
    requires_configuration           -> vulnerable_code_cannot_be_controlled_by_adversary *
    requires_dependency              -> component_not_present *
    requires_environment             -> vulnerable_code_cannot_be_controlled_by_adversary *
    protected_by_compiler            -> inline_mitigations_already_exist *
    protected_at_runtime             -> inline_mitigations_already_exist *
    protected_at_perimeter           -> vulnerable_code_cannot_be_controlled_by_adversary *
    protected_by_mitigating_control  -> inline_mitigations_already_exist

Responses map to CSAF ``remediations[].category``: can_not_fix -> none_available,
will_not_fix -> no_fix_planned, update -> vendor_fix, rollback -> vendor_fix *,
workaround_available -> workaround. OpenVEX has no response field: responses are written
into ``action_statement``.

``*`` marks a many-to-one mapping. Because of them, every export also writes the exact
soupwatch values into the format's extension point (CycloneDX ``properties``, OpenVEX
``status_notes``, CSAF ``notes``) and import restores them from there, so export → import →
export is lossless. Documents from other tools, which lack the extension, are read with the
reverse tables below (``*_TO_STATE``, ``LABEL_TO_JUSTIFICATION``, ``REMEDIATION_TO_RESPONSE``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from soupwatch.errors import VexError
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement

EXT_PREFIX = "soupwatch:"
"""Prefix of the extension data (property names, status_notes line, CSAF note title)."""

STATE_TO_OPENVEX: dict[VexState, str] = {
    VexState.NOT_AFFECTED: "not_affected",
    VexState.FALSE_POSITIVE: "not_affected",
    VexState.RESOLVED: "fixed",
    VexState.RESOLVED_WITH_PEDIGREE: "fixed",
    VexState.EXPLOITABLE: "affected",
    VexState.IN_TRIAGE: "under_investigation",
}
OPENVEX_TO_STATE: dict[str, VexState] = {
    "not_affected": VexState.NOT_AFFECTED,
    "affected": VexState.EXPLOITABLE,
    "fixed": VexState.RESOLVED,
    "under_investigation": VexState.IN_TRIAGE,
}
STATE_TO_CSAF: dict[VexState, str] = {
    VexState.NOT_AFFECTED: "known_not_affected",
    VexState.FALSE_POSITIVE: "known_not_affected",
    VexState.RESOLVED: "fixed",
    VexState.RESOLVED_WITH_PEDIGREE: "fixed",
    VexState.EXPLOITABLE: "known_affected",
    VexState.IN_TRIAGE: "under_investigation",
}
CSAF_TO_STATE: dict[str, VexState] = {
    "known_not_affected": VexState.NOT_AFFECTED,
    "known_affected": VexState.EXPLOITABLE,
    "first_affected": VexState.EXPLOITABLE,
    "last_affected": VexState.EXPLOITABLE,
    "fixed": VexState.RESOLVED,
    "first_fixed": VexState.RESOLVED,
    "under_investigation": VexState.IN_TRIAGE,
}
"""CSAF statuses that are VEX statements; ``recommended`` is advice, not a status."""

JUSTIFICATION_TO_LABEL: dict[VexJustification, str] = {
    VexJustification.CODE_NOT_PRESENT: "vulnerable_code_not_present",
    VexJustification.CODE_NOT_REACHABLE: "vulnerable_code_not_in_execute_path",
    VexJustification.REQUIRES_CONFIGURATION: "vulnerable_code_cannot_be_controlled_by_adversary",
    VexJustification.REQUIRES_DEPENDENCY: "component_not_present",
    VexJustification.REQUIRES_ENVIRONMENT: "vulnerable_code_cannot_be_controlled_by_adversary",
    VexJustification.PROTECTED_BY_COMPILER: "inline_mitigations_already_exist",
    VexJustification.PROTECTED_AT_RUNTIME: "inline_mitigations_already_exist",
    VexJustification.PROTECTED_AT_PERIMETER: "vulnerable_code_cannot_be_controlled_by_adversary",
    VexJustification.PROTECTED_BY_MITIGATING_CONTROL: "inline_mitigations_already_exist",
}
LABEL_TO_JUSTIFICATION: dict[str, VexJustification] = {
    "component_not_present": VexJustification.CODE_NOT_PRESENT,
    "vulnerable_code_not_present": VexJustification.CODE_NOT_PRESENT,
    "vulnerable_code_not_in_execute_path": VexJustification.CODE_NOT_REACHABLE,
    "vulnerable_code_cannot_be_controlled_by_adversary": VexJustification.REQUIRES_ENVIRONMENT,
    "inline_mitigations_already_exist": VexJustification.PROTECTED_BY_MITIGATING_CONTROL,
}
FALSE_POSITIVE_LABEL = "component_not_present"
"""The label written for a ``false_positive`` without a justification of its own."""

RESPONSE_TO_REMEDIATION: dict[VexResponse, str] = {
    VexResponse.CAN_NOT_FIX: "none_available",
    VexResponse.WILL_NOT_FIX: "no_fix_planned",
    VexResponse.UPDATE: "vendor_fix",
    VexResponse.ROLLBACK: "vendor_fix",
    VexResponse.WORKAROUND_AVAILABLE: "workaround",
}
REMEDIATION_TO_RESPONSE: dict[str, VexResponse] = {
    "none_available": VexResponse.CAN_NOT_FIX,
    "no_fix_planned": VexResponse.WILL_NOT_FIX,
    "vendor_fix": VexResponse.UPDATE,
    "workaround": VexResponse.WORKAROUND_AVAILABLE,
    "mitigation": VexResponse.WORKAROUND_AVAILABLE,
}


def label_for(s: VexStatement) -> str | None:
    """The OpenVEX / CSAF justification label of a statement, if it is a not-affected one."""
    if s.justification is not None:
        return JUSTIFICATION_TO_LABEL[s.justification]
    if s.state is VexState.FALSE_POSITIVE:
        return FALSE_POSITIVE_LABEL
    return None


def extension(s: VexStatement) -> dict[str, Any]:
    """The exact soupwatch values a format may not carry, as a JSON object."""
    return {
        "state": s.state.value,
        "justification": s.justification.value if s.justification else None,
        "responses": [r.value for r in s.responses],
        "detail": s.detail,
        "scope": s.scope.value,
        "product": s.product,
        "release": s.release,
        "expires": s.expires.isoformat() if s.expires else None,
        "author": s.author,
        "created": s.created.isoformat() if s.created else None,
    }


def extension_text(s: VexStatement) -> str:
    """:func:`extension` as one line: ``soupwatch:{...}``."""
    return EXT_PREFIX + json.dumps(extension(s), sort_keys=True, separators=(",", ":"))


def parse_extension_text(text: str | None, *, path: str, where: str) -> dict[str, Any] | None:
    """The extension object from a text that may hold a ``soupwatch:{...}`` line."""
    if not text:
        return None
    for line in text.splitlines():
        if line.startswith(EXT_PREFIX + "{"):
            try:
                value = json.loads(line[len(EXT_PREFIX) :])
            except json.JSONDecodeError as err:
                raise VexError(
                    f"malformed soupwatch extension: {err.msg}", path=path, where=where
                ) from err
            if not isinstance(value, dict):
                raise VexError("malformed soupwatch extension", path=path, where=where)
            return value
    return None


def human_notes(text: str | None) -> str | None:
    """A status-notes text without its extension line."""
    if not text:
        return None
    kept = [ln for ln in text.splitlines() if not ln.startswith(EXT_PREFIX + "{")]
    return "\n".join(kept).strip() or None


def apply_extension(ext: dict[str, Any], *, path: str, where: str) -> dict[str, Any]:
    """Typed statement fields from an extension object; bad values name the place."""
    try:
        return {
            "state": VexState(ext["state"]),
            "justification": VexJustification(ext["justification"])
            if ext.get("justification")
            else None,
            "responses": tuple(VexResponse(r) for r in ext.get("responses") or ()),
            "detail": ext.get("detail"),
            "scope": VexScope(ext["scope"]),
            "product": ext.get("product"),
            "release": ext.get("release"),
            "expires": date.fromisoformat(ext["expires"]) if ext.get("expires") else None,
            "author": ext.get("author"),
            "created": datetime.fromisoformat(ext["created"]) if ext.get("created") else None,
        }
    except (KeyError, ValueError, TypeError) as err:
        raise VexError(f"invalid soupwatch extension value: {err}", path=path, where=where) from err

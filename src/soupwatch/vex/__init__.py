"""Stage 5: VEX decisions — their rules, scoping, exchange formats and the audit trail.

The face the edges use: the decision rules' parsers (``parse_expiry``, ``refuse``); the flows
that record, list, import and export decisions are in ``soupwatch.pipeline``.
"""

from soupwatch.vex.rules import parse_expiry, refuse

__all__ = ["parse_expiry", "refuse"]

"""Stage 5: VEX decisions — their rules, scoping, exchange formats and the audit trail.

The face the edges use: the decision rules' parsers (``parse_expiry``, ``refuse``), the
import target, ``purl_identity`` and the decisions-file reader (``read_lines``); the flows
that record, list, import and export decisions are in ``soupwatch.pipeline``.
"""

from soupwatch.vex.document import ImportTarget, purl_identity
from soupwatch.vex.lines import DecisionLine, read_lines
from soupwatch.vex.rules import parse_expiry, refuse

__all__ = ["DecisionLine", "ImportTarget", "parse_expiry", "purl_identity", "read_lines", "refuse"]

"""Stage 5: VEX decisions — their rules, scoping, exchange formats and the audit trail.

The face the edges use: the decision rules' parsers (``parse_expiry``, ``refuse``), the
import target and ``purl_identity``; the flows
that record, list, import and export decisions are in ``soupwatch.pipeline``.
"""

from soupwatch.vex.document import ImportTarget, purl_identity
from soupwatch.vex.rules import parse_expiry, refuse

__all__ = ["ImportTarget", "parse_expiry", "purl_identity", "refuse"]

"""Stage 7: watch the portfolio. Re-scan every stored release and say what changed
(``rescan_portfolio``); list what one vulnerability touches (``impact``). See docs/watch.md.
"""

from soupwatch.watch.delta import ChangedFinding, PortfolioDelta, ReleaseDelta, rescan_portfolio
from soupwatch.watch.impact import ImpactRow, check_vuln_id, impact, known_to_feeds

__all__ = [
    "ChangedFinding",
    "ImpactRow",
    "PortfolioDelta",
    "ReleaseDelta",
    "check_vuln_id",
    "impact",
    "known_to_feeds",
    "rescan_portfolio",
]

"""Stage 6: deliverables made from an assessment (FDA package, SOUP list, MDS2, CSAF, SARIF).

The face the edges use: ``AdvisoryMeta`` (who publishes a CSAF advisory), ``coverage`` /
``warnings`` (what the data could say) and ``awaiting_lines`` (the assessment work queue); the
flows that make each deliverable from a release's stored assessment are in
``soupwatch.pipeline``.
"""

from soupwatch.report.advisory import AdvisoryMeta
from soupwatch.report.csaf_parts import tracking_id
from soupwatch.report.sections.coverage import CoverageLine, coverage, warnings
from soupwatch.report.sections.worklist import awaiting_lines, notes

__all__ = [
    "AdvisoryMeta",
    "CoverageLine",
    "awaiting_lines",
    "coverage",
    "notes",
    "tracking_id",
    "warnings",
]

"""Stage 6: deliverables made from an assessment (FDA package, SOUP list, MDS2, CSAF, SARIF).

The face the edges use: ``AdvisoryMeta`` (who publishes a CSAF advisory); the flows that make
each deliverable from a release's stored assessment are in ``soupwatch.pipeline``.
"""

from soupwatch.report.advisory import AdvisoryMeta

__all__ = ["AdvisoryMeta"]

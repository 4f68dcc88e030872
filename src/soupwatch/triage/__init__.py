"""Triage helpers that narrow findings with device facts (kernel ``.config`` → code built).

The face the edges use: ``counts`` (built / not built / unknown); the flow is
``soupwatch.pipeline.triage_kernel``.
"""

from soupwatch.triage.kernel import counts

__all__ = ["counts"]

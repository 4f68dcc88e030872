"""The smallest valid CSAF 2.0 advisory (csaf_base), one definition for the tests that send one
(the route matrix, the API request fuzzing family)."""

from __future__ import annotations

from typing import Any

AT = "2026-11-28T08:00:00Z"


def minimal_advisory(title: str, tracking_id: str) -> dict[str, Any]:
    """A CSAF 2.0 ``csaf_base`` document titled ``title`` with tracking id ``tracking_id``."""
    return {
        "document": {
            "category": "csaf_base",
            "csaf_version": "2.0",
            "distribution": {"tlp": {"label": "GREEN"}},
            "publisher": {"category": "vendor", "name": "Ex", "namespace": "https://ex.example"},
            "title": title,
            "tracking": {
                "current_release_date": AT,
                "id": tracking_id,
                "initial_release_date": AT,
                "revision_history": [{"date": AT, "number": "1", "summary": "Initial."}],
                "status": "final",
                "version": "1",
            },
        }
    }

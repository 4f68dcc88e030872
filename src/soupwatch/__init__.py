"""soupwatch: cybersecurity risk manager for the third-party software inside medical devices.

Public API: only the names in ``__all__`` (docs/api.md shows them at work)::

    import soupwatch

    store = soupwatch.open_store()  # SOUPWATCH_HOME / SOUPWATCH_DATABASE_URL, like the CLI
    soupwatch.sync_feeds(store, mirror=Path("../shared/feeds"))
    soupwatch.import_sbom(store, "pump.cdx.json", "infusion-pump", "3.2.0")
    soupwatch.scan_release(store, "infusion-pump", "3.2.0")
    profile = soupwatch.load_profile(Path("pump.profile.yaml"))
    result = soupwatch.assessment(store, "infusion-pump", "3.2.0", profile=profile)
    print(result.counts.headline())

The names are loaded on first use (PEP 562), so ``import soupwatch`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from soupwatch.errors import SoupwatchError

if TYPE_CHECKING:
    from soupwatch.config import Settings
    from soupwatch.model.assessment import Assessment
    from soupwatch.model.status import FindingStatus, ReleaseCounts
    from soupwatch.pipeline import (
        assessment,
        export_sbom,
        fda_package,
        import_sbom,
        portfolio,
        record_decision,
        run_main_job,
        scan_release,
        sync_feeds,
    )
    from soupwatch.risk.policy import load_policy
    from soupwatch.risk.profile import load_profile
    from soupwatch.store.db import Store

__version__ = "0.1.0"

_WHERE = {
    "Assessment": "soupwatch.model.assessment",
    "FindingStatus": "soupwatch.model.status",
    "ReleaseCounts": "soupwatch.model.status",
    "Settings": "soupwatch.config",
    "Store": "soupwatch.store.db",
    "assessment": "soupwatch.pipeline",
    "export_sbom": "soupwatch.pipeline",
    "fda_package": "soupwatch.pipeline",
    "import_sbom": "soupwatch.pipeline",
    "load_policy": "soupwatch.risk.policy",
    "load_profile": "soupwatch.risk.profile",
    "portfolio": "soupwatch.pipeline",
    "record_decision": "soupwatch.pipeline",
    "run_main_job": "soupwatch.pipeline",
    "scan_release": "soupwatch.pipeline",
    "sync_feeds": "soupwatch.pipeline",
}

__all__ = [
    "Assessment",
    "FindingStatus",
    "ReleaseCounts",
    "Settings",
    "SoupwatchError",
    "Store",
    "__version__",
    "assessment",
    "export_sbom",
    "fda_package",
    "import_sbom",
    "load_policy",
    "load_profile",
    "open_store",
    "portfolio",
    "record_decision",
    "run_main_job",
    "scan_release",
    "sync_feeds",
]


def open_store(settings: Settings | None = None) -> Store:
    """Open (and migrate) the store that ``settings`` name; by default the one the CLI uses
    (``SOUPWATCH_HOME``, ``SOUPWATCH_DATABASE_URL``)."""
    from soupwatch.config import load_settings
    from soupwatch.store.db import Store

    return Store.open(settings or load_settings())


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'soupwatch' has no attribute {name!r}")

"""Where reports get their input: the stored release assessed by the risk stage.

The one place the report stage calls the pipeline's earlier stages; the renderers themselves
take plain :class:`~soupwatch.model.assessment.Assessment` values and never touch the store.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from soupwatch.errors import ReportError
from soupwatch.model.assessment import Assessment
from soupwatch.model.product import Product, Release
from soupwatch.store.db import Store

if TYPE_CHECKING:
    from soupwatch.risk.profile import DeviceProfile


def default_profile() -> DeviceProfile:
    """A profile that states nothing: every rubric answer falls back to its default."""
    from soupwatch.risk.profile import DeviceProfile

    return DeviceProfile(
        name="none (default rubric answers)",
        fda_class="not stated",
        iec62304_class="",
        intended_use="not stated",
        interfaces=(),
        assets=(),
    )


def load_profile(path: Path | None) -> DeviceProfile:
    """The device profile at ``path``, or :func:`default_profile` when none is given."""
    if path is None:
        return default_profile()
    from soupwatch.risk.profile import load_profile as load

    return load(path)


def load_release(store: Store, product: str, release: str) -> tuple[Product, Release]:
    """The stored product and release (StoreError names what is missing)."""
    from soupwatch.store.inventory import get_product, get_release

    with store.session() as session:
        return get_product(session, product), get_release(session, product, release)


def list_releases(store: Store, product: str) -> list[str]:
    """Versions of the product's releases, oldest first."""
    from soupwatch.store.inventory import list_releases as versions

    with store.session() as session:
        return versions(session, product)


def assess(
    store: Store, product: str, release: str, profile: DeviceProfile, now: datetime
) -> Assessment:
    """Assess a stored release with the risk stage."""
    try:
        from soupwatch.risk.assess import assess_release
    except ImportError as err:  # pragma: no cover - the risk stage ships with soupwatch
        raise ReportError(f"the risk stage is not available: {err}") from err
    return assess_release(store, product, release, profile, now=now)

"""Real Debian packages of foreign architectures for the discovery tests (see ``tests/debs``)."""

from __future__ import annotations

import pytest

from tests.debs import DebCache


@pytest.fixture(scope="session")
def debs() -> DebCache:
    """The package cache (downloads on first use, skips when apt is unavailable here)."""
    return DebCache()

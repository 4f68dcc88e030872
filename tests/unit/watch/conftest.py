"""Watch fixtures: the example portfolio on synced mirror feeds, and an old OpenSSL release."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soupwatch.pipeline import load_target, store_document
from soupwatch.store.db import Store
from tests import synced

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
BASE_FEEDS = ("nvd", "nvd-legacy", "osv")


def import_examples(store: Store) -> list[str]:
    """Import every examples/*.cdx.json as release 1.0 of the product its file names."""
    names = []
    for path in sorted(EXAMPLES.glob("*.cdx.json")):
        name = path.name.split(".")[0]
        store_document(store, load_target(path), name, "1.0", source=str(path), now=T0)
        names.append(name)
    return names


def old_openssl_sbom(tmp_path: Path) -> Path:
    """The infusion pump's SBOM with OpenSSL 1.0.1f (Heartbleed-vulnerable) for 1.1.1k."""
    text = (EXAMPLES / "infusion-pump.cdx.json").read_text(encoding="utf-8")
    assert "1.1.1k" in text
    data = json.loads(text.replace("1.1.1k", "1.0.1f"))
    out = tmp_path / "infusion-pump-0.9.cdx.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


@pytest.fixture
def portfolio(store: Store, request: pytest.FixtureRequest) -> Store:
    """The store with nvd + nvd-legacy + osv synced (no KEV yet) and the examples imported.

    The test must be marked ``@pytest.mark.synced(*BASE_FEEDS)``: its store starts synced.
    """
    synced.require(request, BASE_FEEDS)
    import_examples(store)
    return store

"""The quality set uses the matcher tests' once-per-run store loaded from the mirror."""

from tests.unit.match.conftest import intel, intel_store  # noqa: F401 - re-exported fixtures

"""soupwatch: cybersecurity risk manager for the third-party software inside medical devices.

Public API: only the names in ``__all__``.
"""

from soupwatch.errors import SoupwatchError

__version__ = "0.1.0"

__all__ = ["SoupwatchError", "__version__"]

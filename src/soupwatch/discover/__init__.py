"""Discovery: what a device really ships, read from its firmware or install image.

``discover_path(path)`` unpacks safely (:mod:`.unpack`, :mod:`.limits`), runs the detectors
(package databases, language lock files and metadata, PE version resources, binary
signatures) and merges what they saw into one :class:`~soupwatch.model.SbomDocument`.
"""

from __future__ import annotations

from soupwatch.discover.engine import discover_path
from soupwatch.discover.limits import UnpackLimits
from soupwatch.discover.unpack import WORK_PREFIX, clean_leftovers

__all__ = ["WORK_PREFIX", "UnpackLimits", "clean_leftovers", "discover_path"]

"""The language-ecosystem and PE detectors, in the order they run."""

from __future__ import annotations

from soupwatch.discover.detectors.dotnet import DotnetDetector
from soupwatch.discover.detectors.golang import GoDetector
from soupwatch.discover.detectors.java import JavaDetector
from soupwatch.discover.detectors.native import NativeDetector
from soupwatch.discover.detectors.npm import NpmDetector
from soupwatch.discover.detectors.pe import PeDetector
from soupwatch.discover.detectors.python import PythonDetector
from soupwatch.discover.interface import Detector

DETECTORS: tuple[Detector, ...] = (
    PythonDetector(),
    NpmDetector(),
    JavaDetector(),
    DotnetDetector(),
    NativeDetector(),
    GoDetector(),
    PeDetector(),
)
"""Stateless detector instances, shared by every run."""

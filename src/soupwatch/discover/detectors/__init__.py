"""Detectors: each reads one kind of evidence and returns components.

A detector is small and independent: ``wants(entry)`` picks the files it reads, ``detect``
turns them into components (see :mod:`soupwatch.discover.interface`).
"""

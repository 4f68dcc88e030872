"""``discover_path``: an artifact in, an SBOM of what it really ships out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from soupwatch.discover import changelog
from soupwatch.discover.detectors.apk import ApkDetector
from soupwatch.discover.detectors.binary import BinaryDetector
from soupwatch.discover.detectors.debpkg import DebPackageDetector
from soupwatch.discover.detectors.dpkg import DpkgDetector
from soupwatch.discover.detectors.embedded import BuildrootDetector, YoctoDetector
from soupwatch.discover.detectors.osrelease import OsReleaseDetector
from soupwatch.discover.detectors.rpm import RpmDetector
from soupwatch.discover.detectors.rpmfile import RpmFileDetector
from soupwatch.discover.elements import Facts, complete, unknown_elf_files
from soupwatch.discover.interface import Detector, Findings
from soupwatch.discover.limits import UnpackLimits
from soupwatch.discover.merge import merge
from soupwatch.discover.unpack import FileEntry, unpacked
from soupwatch.errors import DiscoveryError
from soupwatch.model import Component, ComponentRef, ComponentType, Hash, SbomDocument

Progress = Callable[[str, int], None]
"""Called with (location, size in bytes) for every file scanned."""


def default_detectors(progress: Progress | None = None) -> list[Detector]:
    """Every detector, package databases first."""
    from soupwatch.discover.detectors import ecosystems

    return [
        OsReleaseDetector(),
        DpkgDetector(),
        DebPackageDetector(),
        ApkDetector(),
        RpmDetector(),
        BuildrootDetector(),
        YoctoDetector(),
        *ecosystems.DETECTORS,
        BinaryDetector(progress),
    ]


def run_detectors(
    files: Sequence[FileEntry], detectors: Sequence[Detector]
) -> tuple[list[Component], list[str]]:
    """Every detector over the files it wants; components unmerged, warnings."""
    components: list[Component] = []
    warnings: list[str] = []
    for detector in detectors:
        wanted = [f for f in files if detector.wants(f)]
        if not wanted:
            continue
        try:
            found = detector.detect(wanted, files)
        except OSError as err:  # an unreadable file must not sink the other detectors
            warnings.append(f"{detector.name}: {err.filename or ''}: {err.strerror}; skipped")
            continue
        components.extend(found.components)
        warnings.extend(found.warnings)
    return components, warnings


def discover_path(
    path: str | Path,
    *,
    limits: UnpackLimits | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SbomDocument:
    """Unpack ``path`` safely and return the components it ships, each with its evidence.

    Raises :class:`~soupwatch.errors.UnpackLimitError` when a safety limit refuses the
    input and :class:`~soupwatch.errors.DiscoveryError` when it cannot be read at all.
    """
    target = Path(path)
    if not target.exists():
        raise DiscoveryError("no such file or folder", path=str(target))
    with unpacked(target, limits) as tree:
        components, warnings = run_detectors(tree.files, default_detectors(progress))
        packaged = _package_files(tree.archives, tree.files)
        components += packaged.components
        warnings = [*tree.warnings, *packaged.warnings, *warnings]
        # a package's own changelog versions what its binaries identify without a version
        components = changelog.apply(components, changelog.witnesses(tree.files), warnings)
        # the NTIA elements need the files: hashes, ELF links, package file lists
        facts = Facts.read(tree.files, tree.symlinks)
        components += unknown_elf_files(components, facts)
        merged = complete(merge(components, warnings, facts.owners), facts)
    return SbomDocument(
        metadata_component=_subject(target, merged),
        format="discovered",
        spec_version="1",
        components=tuple(merged),
        name=target.name,
        created=clock(),
        tools=("soupwatch-discover",),
        authors=("soupwatch-discover",),  # the tool wrote the SBOM data (NTIA "author")
        source=str(target),
        warnings=tuple(warnings),
    )


def _package_files(archives: Sequence[FileEntry], files: Sequence[FileEntry]) -> Findings:
    """Package files whose header holds the package (``.rpm``), with the tree for context."""
    detector = RpmFileDetector()
    return detector.detect([a for a in archives if detector.wants(a)], files)


def _subject(target: Path, components: list[Component]) -> Component:
    """The artifact itself: the SBOM's subject, depending on everything found in it."""
    hashes: tuple[Hash, ...] = ()
    if target.is_file():
        digest = hashlib.sha256()
        with target.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        hashes = (Hash("SHA-256", digest.hexdigest()),)
    return Component(
        ref=ComponentRef(f"artifact:{target.name}"),
        name=target.name,
        type=ComponentType.FIRMWARE if target.is_file() else ComponentType.FILE,
        hashes=hashes,
        depends_on=tuple(c.ref for c in components),
    )

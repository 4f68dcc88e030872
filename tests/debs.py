"""Real Debian packages of any architecture, downloaded once into a cache for the tests.

``DebCache.unpacked("libbluetooth3", "arm64", "bookworm")`` runs ``apt-get download`` through a
private apt root (its own sources list, lists and status under
``~/.cache/soupwatch-tests/debs/apt-RELEASE``: the machine's apt configuration and dpkg
architectures are not touched), extracts the package with ``dpkg-deb -x`` and returns the folder
with the package's ``Version``. Nothing is executed; a second run reads the cache only.
``SOUPWATCH_TEST_CACHE`` moves the cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from soupwatch.discover import merge

CACHE = (
    Path(os.environ.get("SOUPWATCH_TEST_CACHE", Path.home() / ".cache" / "soupwatch-tests"))
    / "debs"
)
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
MIRROR = "http://deb.debian.org/debian"

ARCHITECTURES: dict[str, tuple[str, ...]] = {
    "bullseye": ("amd64",),
    "bookworm": (
        "amd64",
        "arm64",
        "armhf",
        "armel",
        "i386",
        "mipsel",
        "mips64el",
        "ppc64el",
        "s390x",
    ),
    "trixie": ("amd64", "arm64", "armhf", "i386", "ppc64el", "riscv64", "s390x"),
}
"""Architectures whose package lists each release's private apt root fetches."""

LISTS_MAX_AGE = 7 * 86400
"""Package lists older than this are fetched again (the mirror drops superseded versions)."""

FAILED_MAX_AGE = 86400
"""A package the mirror lacked is not asked for again for this long."""


@dataclass(frozen=True, slots=True)
class Unpacked:
    """One extracted package: where, and what its control file says."""

    package: str
    version: str
    source: str
    arch: str
    release: str
    root: Path


def _unavailable() -> str | None:
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed: real Debian packages cannot be fetched"
    if not Path(KEYRING).is_file():
        return f"{KEYRING} is missing: Debian package lists cannot be verified"
    return None


def skip_or_fail(reason: str) -> NoReturn:
    """Skip, or fail under CI (which has the registries: a missing fixture there is a bug)."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _only_security_failed(stderr: str) -> bool:
    """Whether every index apt could not fetch is of a ``-security`` suite."""
    failed = [line for line in stderr.splitlines() if line.startswith("E: Failed to fetch")]
    return bool(failed) and all("-security/" in line for line in failed)


class DebCache:
    """Downloads and unpacks real packages for any architecture, each once."""

    def __init__(self, root: Path = CACHE) -> None:
        self.root = root

    def _apt_root(self, release: str) -> Path:
        return self.root / f"apt-{release}"

    def _apt(self, release: str, *args: str) -> list[str]:
        base = self._apt_root(release)
        options = {
            "Dir::Etc::sourcelist": str(base / "sources.list"),
            "Dir::Etc::sourceparts": "-",
            "Dir::State::Lists": str(base / "lists"),
            "Dir::State::status": str(base / "status"),
            "Dir::Cache": str(base / "cache"),
            "APT::Get::List-Cleanup": "0",
            "APT::Sandbox::User": "root",
            "Acquire::Languages": "none",
            "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled": "false",
        }
        cmd = ["apt-get", "-qq"]
        for key, value in options.items():
            cmd += ["-o", f"{key}={value}"]
        cmd += ["-o", "APT::Architectures::=" + ARCHITECTURES[release][0]]
        for arch in ARCHITECTURES[release][1:]:
            cmd += ["-o", "APT::Architectures::=" + arch]
        return [*cmd, *args]

    def _ensure_lists(self, release: str) -> None:
        base = self._apt_root(release)
        done = base / "updated"
        if done.is_file() and time.time() - done.stat().st_mtime < LISTS_MAX_AGE:
            return
        (base / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (base / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        (base / "status").touch()
        suites = [release, f"{release}-updates"]
        text = (
            "".join(f"deb [signed-by={KEYRING}] {MIRROR} {suite} main\n" for suite in suites)
            + f"deb [signed-by={KEYRING}] {MIRROR}-security {release}-security main\n"
        )
        (base / "sources.list").write_text(text)
        run = subprocess.run(self._apt(release, "update"), capture_output=True, text=True)
        if run.returncode != 0 and _only_security_failed(run.stderr):
            # A security mirror caught mid-sync ("File has unexpected size") must not stop the
            # tests: the release and its point updates suffice, and each package's truth is
            # read from the .deb that is downloaded, whatever suite it came from.
            (base / "sources.list").write_text(
                "".join(f"deb [signed-by={KEYRING}] {MIRROR} {suite} main\n" for suite in suites)
            )
            run = subprocess.run(self._apt(release, "update"), capture_output=True, text=True)
        if run.returncode != 0:
            skip_or_fail(f"apt-get update for {release} failed: {run.stderr.strip()[-300:]}")
        done.write_text("ok\n")

    def unpacked(self, package: str, arch: str, release: str = "bookworm") -> Unpacked:
        """The package for ``arch`` from ``release``, extracted (downloaded on first use)."""
        reason = _unavailable()
        if reason:
            skip_or_fail(reason)
        target = self.root / release / arch / package
        failed = target / ".failed"
        if failed.is_file() and time.time() - failed.stat().st_mtime < FAILED_MAX_AGE:
            pytest.skip(failed.read_text())
        if not (target / ".done").is_file():  # a cached package needs no lock (.done is last)
            with _locked(self.root / f"{release}.lock"):
                if not (target / ".done").is_file():
                    self._ensure_lists(release)
                    self._download(package, arch, release, target)
        fields = dict(
            line.split(": ", 1) for line in (target / ".done").read_text().splitlines() if line
        )
        return Unpacked(
            package,
            fields["Version"],
            fields.get("Source", package).split(" ")[0] or package,
            arch,
            release,
            target / "root",
        )

    def prefetch(self, wanted: list[tuple[str, str, str]]) -> None:
        """Download every missing ``(package, arch, release)`` in one apt call per release
        (a package that fails there is fetched alone later, and skips its own test)."""
        if _unavailable():
            return
        for release in sorted({r for _, _, r in wanted}):
            todo = sorted(
                f"{p}:{a}"
                for p, a, r in wanted
                if r == release and not self._settled(self.root / r / a / p)
            )
            if not todo:
                continue
            with _locked(self.root / f"{release}.lock"):
                self._ensure_lists(release)
                spool = self.root / release / "pool"
                spool.mkdir(parents=True, exist_ok=True)
                for _ in range(5):  # apt refuses the whole batch over one unknown name
                    run = subprocess.run(
                        self._apt(release, "download", *todo),
                        cwd=spool,
                        capture_output=True,
                        text=True,
                    )
                    missing = set(re.findall(r"Unable to locate package (\S+)", run.stderr))
                    missing |= set(re.findall(r"from package (\S+) as it has no", run.stderr))
                    if run.returncode == 0 or not missing:
                        break
                    todo = [t for t in todo if t not in missing]

    @staticmethod
    def _settled(target: Path) -> bool:
        """Extracted already, or known missing from the mirror (within a day)."""
        failed = target / ".failed"
        recent = failed.is_file() and time.time() - failed.stat().st_mtime < FAILED_MAX_AGE
        return recent or (target / ".done").is_file()

    @staticmethod
    def _unavailable(target: Path, reason: str) -> None:
        """One package the mirror lacks today (a hole, not a broken setup): skipped, and not
        asked for again for a day."""
        target.mkdir(parents=True, exist_ok=True)
        (target / ".failed").write_text(reason)
        pytest.skip(reason)

    @staticmethod
    def _debs(spool: Path, package: str, arch: str) -> list[Path]:
        return sorted(spool.glob(f"{package}_*_{arch}.deb")) or sorted(
            spool.glob(f"{package}_*_all.deb")
        )

    def _download(self, package: str, arch: str, release: str, target: Path) -> None:
        spool = self.root / release / "pool"
        spool.mkdir(parents=True, exist_ok=True)
        have = self._debs(spool, package, arch)
        if not have:
            qualified = f"{package}:{arch}"
            run = subprocess.run(
                self._apt(release, "download", qualified), cwd=spool, capture_output=True, text=True
            )
            if run.returncode != 0:
                reason = run.stderr.strip()[-300:]
                self._unavailable(target, f"apt-get download {qualified} ({release}): {reason}")
            have = self._debs(spool, package, arch)
        if not have:
            self._unavailable(target, f"apt-get download {package}:{arch} ({release}): no .deb")
        deb = have[-1]
        if target.exists():
            shutil.rmtree(target)
        (target / "root").mkdir(parents=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(target / "root")], check=True)
        control = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Package", "Version", "Source", "Architecture"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        part = target / ".done.part"  # renamed into place: a reader without the lock sees all
        part.write_text(control + f"Deb: {deb.name}\n")
        part.replace(target / ".done")
        deb.unlink()  # the extracted tree is what the tests read; keep the cache half the size

    def root_fs(self, packages: tuple[str, ...], arch: str, release: str = "bookworm") -> Path:
        """A root file system of ``packages`` installed as dpkg would, without running any
        maintainer script: each ``.deb``'s data extracted, its control stanza in
        ``var/lib/dpkg/status`` and its file list in ``var/lib/dpkg/info/PKG.list``."""
        reason = _unavailable()
        if reason:
            skip_or_fail(reason)
        name = hashlib.sha256(" ".join(sorted(packages)).encode()).hexdigest()[:12]
        target = self.root / "rootfs" / f"{release}-{arch}-{name}"
        with _locked(self.root / f"{release}.lock"):
            if (target / ".done").is_file():
                return target / "root"
            self._ensure_lists(release)
            spool = target / "pool"
            if target.exists():
                shutil.rmtree(target)
            spool.mkdir(parents=True)
            wanted = [f"{p}:{arch}" for p in packages]
            run = subprocess.run(
                self._apt(release, "download", *wanted), cwd=spool, capture_output=True, text=True
            )
            if run.returncode != 0:
                skip_or_fail(f"apt-get download {' '.join(wanted)}: {run.stderr.strip()[-300:]}")
            root = target / "root"
            info = root / "var/lib/dpkg/info"
            info.mkdir(parents=True)
            stanzas: list[str] = []
            for deb in sorted(spool.glob("*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
                control = subprocess.run(
                    ["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True
                ).stdout.strip()
                package = control.split("\n", 1)[0].removeprefix("Package: ")
                stanzas.append(control + "\nStatus: install ok installed")
                data = subprocess.run(
                    ["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True
                ).stdout
                with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                    paths = ["/" + m.name.removeprefix("./").rstrip("/") for m in tar]
                lines = [p for p in paths if p != "/"]
                (info / f"{package}.list").write_text("/.\n" + "\n".join(lines) + "\n")
            (root / "var/lib/dpkg/status").write_text("\n\n".join(stanzas) + "\n")
            shutil.rmtree(spool)
            (target / ".done").write_text("\n".join(packages) + "\n")
        return target / "root"


def upstream(version: str) -> str:
    """The upstream part of a Debian version (``1:9e-1+b1`` -> ``9e``): the truth the quality
    sets compare against."""
    return merge.upstream(version)


WHEELS = CACHE.parent / "wheels"


def wheel(requirement: str, platform: str) -> Path:
    """A real binary wheel from PyPI (``lxml==5.3.0``, ``manylinux_2_17_aarch64``), cached."""
    name, version = requirement.split("==")
    found = sorted(WHEELS.glob(f"{name}-{version}-*{platform}*.whl"))
    if found:
        return found[0]
    WHEELS.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--platform",
            platform,
            "-d",
            str(WHEELS),
            requirement,
        ],
        capture_output=True,
        text=True,
    )
    found = sorted(WHEELS.glob(f"{name}-{version}-*{platform}*.whl"))
    if run.returncode != 0 or not found:
        skip_or_fail(f"pip download {requirement} ({platform}): {run.stderr.strip()[-300:]}")
    return found[0]

"""``soupwatch run`` on a firmware archive: discovery → findings → assessment → package."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from tests.conftest import ROOT, run_cli

from soupwatch.config import Settings

BINARIES = ("deb-openssl-cli", "deb-bluez-bluetoothd", "deb-busybox")


def _firmware(corpus: Path, tmp_path: Path) -> Path:
    """A root-file-system tarball of real binaries, with no package database."""
    target = tmp_path / "firmware.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for name in BINARIES:
            for f in sorted((corpus / "binaries" / name).iterdir()):
                tar.add(f, arcname=f"rootfs/usr/bin/{f.name}")
    return target


def _partial_mirror(feeds: Path, tmp_path: Path) -> Path:
    """The legacy NVD feeds, KEV and EOL data only: enough for these components, and quick."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in ("nvd-1.1", "nvd", "kev", "eol"):
        (mirror / name).symlink_to(feeds / name, target_is_directory=True)
    return mirror


@pytest.mark.slow  # syncs feeds itself: that is what it tests
def test_run_on_a_firmware_archive(
    cli_env: Settings, corpus: Path, feeds: Path, tmp_path: Path
) -> None:
    out = tmp_path / "package"
    code, stdout, err = run_cli(
        "run",
        str(_firmware(corpus, tmp_path)),
        "--profile",
        str(ROOT / "examples/infusion-pump.profile.yaml"),
        "--product",
        "infusion-pump",
        "--release",
        "9.0",
        "-o",
        str(out),
        "--mirror",
        str(_partial_mirror(feeds, tmp_path)),
        "--no-pdf",
    )
    assert code == 0, err
    assert "infusion-pump 9.0: 3 components" in stdout
    assert f"report: {(out / 'report.html').resolve()}" in stdout
    assert "• matching components to vulnerabilities" in err
    html = (out / "report.html").read_text(encoding="utf-8")
    for name in ("OpenSSL", "BlueZ", "BusyBox"):
        assert name in html


def test_run_refuses_a_missing_target(cli_env: Settings, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "run",
        str(tmp_path / "nope.img"),
        "--profile",
        str(ROOT / "examples/infusion-pump.profile.yaml"),
        "--product",
        "p",
        "--release",
        "1",
        "-o",
        str(tmp_path / "out"),
    )
    assert code == 2
    assert "nope.img" in err and "no such file" in err


def test_run_without_any_vulnerability_records_stops_instead_of_reporting_zero(
    cli_env: Settings, tmp_path: Path
) -> None:
    """A mirror (or a network) that yields no feed of vulnerability records: "0 findings"
    would read as nothing known against the device. The job says why in one line, exits 2,
    writes no package, and a later run with data is not blocked."""
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    out = tmp_path / "package"
    code, stdout, err = run_cli(
        "run",
        str(ROOT / "examples/infusion-pump.cdx.json"),
        "--profile",
        str(ROOT / "examples/infusion-pump.profile.yaml"),
        "--product",
        "infusion-pump",
        "--release",
        "3.2.0",
        "-o",
        str(out),
        "--mirror",
        str(empty),
        "--no-pdf",
    )
    assert code == 2, (stdout, err)
    lines = [line for line in err.splitlines() if "no vulnerability records" in line]
    assert len(lines) == 1, err
    assert "none of nvd, nvd-legacy, osv, cve5 holds any (nvd: " in lines[0]
    assert "SOUPWATCH_MIRROR" in lines[0]
    assert "• matching components to vulnerabilities" not in err
    assert not (out / "report.html").exists()

"""The report cites how the kernel findings were judged, and warns when the map does not fit."""

from __future__ import annotations

from soupwatch.model.triage import KernelTriageSummary, MapOrigin
from soupwatch.report.sections.coverage import kernel_lines


def _summary(*, mismatch: bool) -> KernelTriageSummary:
    return KernelTriageSummary(
        config="/home/someone/build/infusion-pump.kconfig",
        config_complete=True,
        map_kernel="5.10.262",
        map_series="5.10",
        map_source="Debian 5.10.262-1",
        map_origin=MapOrigin.BUNDLED,
        device_kernel="6.1.4" if mismatch else "5.10.52",
        device_kernel_from="the SBOM",
        series_mismatch=mismatch,
        counts={"built": 60, "not_built": 1900, "unknown": 9},
        not_in_map=7,
        recorded=1900,
        warning="the device kernel is 6.1.4 …; give the device's own kernel tree"
        if mismatch
        else None,
    )


def test_the_map_and_counts_are_cited_without_the_local_path() -> None:
    (line,) = kernel_lines(_summary(mismatch=False))
    assert line.level == "ok"
    assert "built 60, not built 1900, unknown 9 (7 of them because their file" in line.text
    assert "Kbuild map of linux 5.10 (5.10.262, bundled: Debian 5.10.262-1)" in line.text
    assert "infusion-pump.kconfig (complete)" in line.text
    assert "/home/someone" not in line.text  # a report names the file, not the author's disk


def test_a_map_of_another_series_is_a_warning() -> None:
    lines = kernel_lines(_summary(mismatch=True))
    assert [c.level for c in lines] == ["ok", "warning"]
    assert "own kernel tree" in lines[1].text


def test_no_triage_no_line() -> None:
    assert kernel_lines(None) == []

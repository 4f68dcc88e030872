"""The map's series and origin, the device kernel, and the mismatch/unknown rules (small trees)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from soupwatch.errors import ConfigError
from soupwatch.model import Finding, MatchEvidence, Vulnerability, VulnId
from soupwatch.model.component import ComponentRef
from soupwatch.model.triage import KernelTriageSummary, MapOrigin
from soupwatch.triage.evaluate import BuildVerdict, evaluate_file, evaluate_files
from soupwatch.triage.kbuild import (
    bundled_series,
    closest_series,
    load_bundled,
    map_from_source,
    series,
)
from soupwatch.triage.kconfig import parse_config
from soupwatch.triage.kernel import (
    KernelTriage,
    device_kernel,
    header_kernel_version,
    summarize,
    triage_findings,
)
from soupwatch.triage.makefile import parse_makefile

DATA = Path(__file__).resolve().parents[3] / "src" / "soupwatch" / "triage" / "data"
CONFIG = parse_config(
    "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm 6.1.7 Kernel Configuration\n"
    "CONFIG_ARM=y\nCONFIG_FOO=y\n# CONFIG_FOO_BAR is not set\n",
    "dev.config",
)


def synthetic_tree(root: Path, version: str) -> Path:
    """A tiny kernel tree: drivers/foo/ under CONFIG_FOO with bar.o under CONFIG_FOO_BAR."""
    major, minor, sub = version.split(".")
    files = {
        "Makefile": f"VERSION = {major}\nPATCHLEVEL = {minor}\nSUBLEVEL = {sub}\n"
        "drivers-y := drivers/\n",
        "Kbuild": "obj-y += init/\n",
        "init/Makefile": "obj-y += main.o\n",
        "drivers/Makefile": "obj-$(CONFIG_FOO) += foo/\n",
        "drivers/foo/Makefile": "obj-y += core.o\nobj-$(CONFIG_FOO_BAR) += bar.o\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_series_of_versions() -> None:
    assert series("5.10.52") == "5.10" and series("v6.1") == "6.1"
    assert series("6.12.118-1~deb12u1") == "6.12" and series("5.10-rt") == "5.10"
    assert series("linux") is None and series(None) is None and series("5") is None


def test_closest_bundled_series() -> None:
    have = ["5.10", "6.1"]
    assert closest_series("5.10", have) == "5.10" and closest_series(None, have) == "6.1"
    assert closest_series("5.15", have) == "5.10" and closest_series("6.6", have) == "6.1"
    assert closest_series("4.19", have) == "5.10" and closest_series("7.0", have) == "6.1"
    assert closest_series("5.4", ["6.1", "6.12"]) == "6.1"


def test_bundled_maps_are_small_and_named_by_series() -> None:
    assert bundled_series() == ["5.10", "6.1"]
    assert sum(p.stat().st_size for p in DATA.glob("kbuild-map-*.json.gz")) < 1_000_000
    kmap = load_bundled("5.10")
    assert kmap.kernel.startswith("5.10.") and kmap.origin is MapOrigin.BUNDLED
    assert kmap.where == "soupwatch/triage/data/kbuild-map-5.10.json.gz"


@pytest.mark.parametrize("packed", [False, True])
def test_map_from_a_tree_or_its_tarball(tmp_path: Path, packed: bool) -> None:
    tree = synthetic_tree(tmp_path / "linux-6.1.7", "6.1.7")
    source = tree
    if packed:
        source = tmp_path / "linux-source-6.1.tar.gz"
        with tarfile.open(source, "w:gz") as tar:
            tar.add(tree, arcname="./linux-source-6.1")  # Debian-style, with a ./ prefix
    kmap = map_from_source(source)
    assert (kmap.kernel, kmap.series, kmap.origin) == ("6.1.7", "6.1", MapOrigin.SOURCE)
    assert kmap.where == str(source)
    off = evaluate_file("drivers/foo/bar.c", kmap, CONFIG)
    assert off.verdict is BuildVerdict.NOT_BUILT and "CONFIG_FOO_BAR" in off.evidence
    assert evaluate_file("drivers/foo/core.c", kmap, CONFIG).verdict is BuildVerdict.BUILT


def test_a_file_absent_from_the_map_is_unknown_never_not_built(tmp_path: Path) -> None:
    kmap = map_from_source(synthetic_tree(tmp_path / "t", "6.1.7"))
    # complete config, and its directory is not built: still unknown, the file may exist elsewhere
    for path in ("drivers/foo/baz.c", "net/bluetooth/sco.c"):
        v = evaluate_file(path, kmap, CONFIG)
        assert v.verdict is BuildVerdict.UNKNOWN and v.not_in_map
        assert v.evidence == f"{path} not in the Kbuild map of linux 6.1 (6.1.7)"
    docs = evaluate_file("Documentation/foo.rst", kmap, CONFIG)
    assert docs.verdict is BuildVerdict.UNKNOWN and not docs.not_in_map
    verdict, _ = evaluate_files(["drivers/foo/bar.c", "drivers/foo/gone.c"], kmap, CONFIG)
    assert verdict is BuildVerdict.UNKNOWN


def _finding(vuln: str, version: str | None, name: str = "linux") -> Finding:
    ev = MatchEvidence("cna-range", "cve5", "linux", "git", 1.0)
    return Finding(
        ComponentRef(f"{name}-{version}"), name, version, Vulnerability(VulnId(vuln)), ev
    )


def test_device_kernel_from_the_sbom_else_the_config_header() -> None:
    assert header_kernel_version(
        "#\n# Linux/x86 5.10.262 Kernel Configuration\n#\nCONFIG_X=y\n"
    ) == ("5.10.262")
    assert header_kernel_version("# Kernel .config for the pump (Linux 5.10.52)\n") is None
    findings = [_finding("CVE-1", "5.10.52"), _finding("CVE-2", "5.10.52"), _finding("C", "4.1.1")]
    assert device_kernel(findings, "6.1.7") == ("5.10.52", "SBOM component linux 5.10.52")
    assert device_kernel([_finding("CVE-1", None)], "6.1.7") == ("6.1.7", "the .config header")
    assert device_kernel([], None) == (None, None)


def _results(tmp_path: Path) -> tuple[list[KernelTriage], KernelTriageSummary]:
    kmap = map_from_source(synthetic_tree(tmp_path / "t", "6.1.7"))
    files = {"CVE-1": ["drivers/foo/bar.c"], "CVE-2": ["fs/ext4/super.c"], "CVE-3": []}
    findings = [_finding(v, "5.10.52") for v in ("CVE-1", "CVE-2", "CVE-3")]
    results = triage_findings(findings, files, kmap, CONFIG)
    return results, summarize(results, kmap, CONFIG, device_kernel(findings, None))


def test_series_mismatch_is_loud_and_counts_the_absent(tmp_path: Path) -> None:
    results, summary = _results(tmp_path)
    assert [t.verdict.value for t in results] == ["not_built", "unknown", "unknown"]
    assert [t.not_in_map for t in results] == [False, True, False]
    assert summary.series_mismatch and summary.not_in_map == 1
    assert summary.warning is not None
    assert summary.warning.startswith("the device kernel is 5.10.52 (SBOM component linux 5.10.52)")
    assert (
        "map is of linux 6.1 (6.1.7, source)" in summary.warning and "1 findings" in summary.warning
    )
    assert dict(summary.counts) == {"built": 0, "not_built": 1, "unknown": 2}
    assert KernelTriageSummary.from_json(summary.to_json()) == summary


def test_same_series_or_unknown_device_is_no_mismatch(tmp_path: Path) -> None:
    kmap = map_from_source(synthetic_tree(tmp_path / "t", "6.1.7"))
    for device in (("6.1.99", "SBOM component linux 6.1.99"), (None, None)):
        s = summarize([], kmap, CONFIG, device)
        assert not s.series_mismatch and s.warning is None


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing", "no such kernel source directory or tarball"), ("notes.txt", "not a kernel")],
)
def test_bad_source_names_the_path(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("x")
    with pytest.raises(ConfigError, match=message) as err:
        map_from_source(path)
    assert str(path) in str(err.value)
    bad = tmp_path / "broken.tar.xz"
    bad.write_bytes(b"not xz")
    with pytest.raises(ConfigError, match="cannot read the kernel tarball"):
        map_from_source(bad)


def test_an_oversized_makefile_is_refused_by_name(tmp_path: Path) -> None:
    tree = synthetic_tree(tmp_path / "t", "6.1.7")
    (tree / "drivers" / "Makefile").write_bytes(b"#" * 2_000_001)
    with pytest.raises(ConfigError, match=r"drivers/Makefile is 2000001 bytes"):
        map_from_source(tree)


def test_composite_list_variable_expands_with_its_condition() -> None:
    text = "obj-$(CONFIG_NET) := socket.o\ntmp-$(CONFIG_COMPAT) := compat.o\n"
    text += "obj-$(CONFIG_NET) += $(tmp-y)\n"
    parsed = parse_makefile(text, "net/Makefile")  # Linux 5.10's net/Makefile does this
    assert parsed.unresolved == ()
    compat = next(e for e in parsed.edges if e.target == "net/compat")
    assert [c for c, _ in compat.chain] == ["CONFIG_NET", "CONFIG_COMPAT"]

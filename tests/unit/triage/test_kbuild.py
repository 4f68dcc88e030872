"""Kbuild map from real Linux 6.1 Makefiles, .config parsing, and conservative verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from soupwatch.errors import ConfigError
from soupwatch.triage.evaluate import BuildVerdict, evaluate_file, evaluate_files
from soupwatch.triage.kbuild import KbuildMap, build_map, load_map
from soupwatch.triage.kconfig import parse_config
from soupwatch.triage.makefile import parse_makefile

DATA = Path(__file__).parent / "data" / "linux-6.1"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "infusion-pump.kconfig"


@pytest.fixture(scope="module")
def kmap() -> KbuildMap:
    files = {p.relative_to(DATA).as_posix(): p.read_text() for p in DATA.rglob("*") if p.is_file()}
    return build_map(files, "tests/unit/triage/data/linux-6.1")


def test_real_makefiles_give_dirs_composites_and_conditions(kmap: KbuildMap) -> None:
    assert kmap.dirs["drivers/net/wireless/realtek/"] == [
        (
            "drivers/net/wireless/",
            (("CONFIG_WLAN_VENDOR_REALTEK", "drivers/net/wireless/Makefile:19"),),
        )
    ]
    # brcmfmac-objs / brcmfmac-$(CONFIG_BRCMFMAC_SDIO): composite parts carry both conditions
    rel = "drivers/net/wireless/broadcom/brcm80211/brcmfmac/Makefile"
    parsed = parse_makefile((DATA / rel).read_text(), rel)
    sdio = next(e for e in parsed.edges if e.target.endswith("/bcmsdh"))
    assert [c for c, _ in sdio.chain] == ["CONFIG_BRCMFMAC", "CONFIG_BRCMFMAC_SDIO"]
    assert kmap.objs["net/bluetooth/l2cap_core"][0][1][0][0] == "CONFIG_BT"


def test_verdicts_under_the_example_config(kmap: KbuildMap) -> None:
    config = parse_config(EXAMPLE.read_text(), "examples/infusion-pump.kconfig")
    off = evaluate_file("drivers/net/wireless/realtek/rtl818x/rtl8180/dev.c", kmap, config)
    assert off.verdict is BuildVerdict.NOT_BUILT
    assert "CONFIG_WLAN_VENDOR_REALTEK (via drivers/net/wireless/Makefile:19)" in off.evidence
    assert "which is not set in examples/infusion-pump.kconfig" in off.evidence
    on = evaluate_file("net/bluetooth/l2cap_core.c", kmap, config)
    assert on.verdict is BuildVerdict.BUILT and "CONFIG_BT=y" in on.evidence
    header = evaluate_file("net/bluetooth/hci_core.h", kmap, config)
    assert header.verdict is BuildVerdict.UNKNOWN and "header" in header.evidence
    assert evaluate_file("fs/ext4/super.c", kmap, config).verdict is BuildVerdict.UNKNOWN
    # one built file keeps the record; one unknown file keeps it unknown
    both = ["drivers/net/wireless/realtek/rtl818x/rtl8180/dev.c", "net/bluetooth/l2cap_core.c"]
    assert evaluate_files(both, kmap, config)[0] is BuildVerdict.BUILT
    mixed = ["drivers/net/wireless/realtek/rtl818x/rtl8180/dev.c", "include/net/x.h"]
    assert evaluate_files(mixed, kmap, config)[0] is BuildVerdict.UNKNOWN


def test_absent_symbol_is_unknown_unless_the_config_is_complete(kmap: KbuildMap) -> None:
    partial = parse_config("CONFIG_ARM=y\nCONFIG_NET=y\n", "p.config")
    path = "net/bluetooth/l2cap_core.c"
    assert evaluate_file(path, kmap, partial).verdict is BuildVerdict.UNKNOWN
    complete = parse_config("CONFIG_ARM=y\nCONFIG_NET=y\n", "c.config", complete=True)
    assert evaluate_file(path, kmap, complete).verdict is BuildVerdict.NOT_BUILT
    generated = parse_config("#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_NET=y\n", "g")
    assert generated.complete


def test_makefile_conditionals_and_continuations() -> None:
    text = "obj-y += a.o \\\n\tb.o\nifdef CONFIG_X\nobj-y += c.o\nendif\nobj- += d.o\n"
    parsed = parse_makefile(text, "foo/Makefile")
    chains = {e.target: [c for c, _ in e.chain] for e in parsed.edges}
    assert chains["foo/a"] == ["y"] and chains["foo/b"] == ["y"]
    assert chains["foo/c"] == ["y", "?inside a conditional block"]
    assert "foo/d" not in chains


@pytest.mark.parametrize(
    ("text", "where"),
    [("CONFIG_BT=y\nBT=y\n", "line 2"), ("CONFIG_BT=yes\n", "line 1")],
)
def test_bad_config_lines_name_file_and_line(text: str, where: str) -> None:
    with pytest.raises(ConfigError, match=rf"k\.config \({where}\)"):
        parse_config(text, "k.config")


def test_shipped_map_is_linux_61() -> None:
    shipped = load_map()
    assert shipped.kernel.startswith("6.1.") and len(shipped.objs) > 20000
    with pytest.raises(ConfigError, match="cannot read the Kbuild map"):
        load_map(EXAMPLE)

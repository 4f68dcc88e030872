"""``--source`` on a real kernel tree: a slice of Debian's ``linux-source-6.1`` tarball.

The slice (the top-level Makefiles and the Kbuild files of net/ and drivers/net/wireless/, as a
Debian-style ``.tar.gz``) is cut once from the package (``apt-get download linux-source-6.1``)
and cached under ``~/.cache/soupwatch-tests/kernel-source/``; the test is skipped, with the
reason, where apt-get or dpkg-deb is missing or the package cannot be fetched.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from soupwatch.model.triage import MapOrigin
from soupwatch.triage.evaluate import BuildVerdict, evaluate_file
from soupwatch.triage.kbuild import load_bundled, map_from_source
from soupwatch.triage.kconfig import load_config

CACHE = Path.home() / ".cache" / "soupwatch-tests" / "kernel-source"
PACKAGE = "linux-source-6.1"
SLICE_DIRS = ("net/", "drivers/Makefile", "drivers/net/Makefile", "drivers/net/wireless/")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "infusion-pump.kconfig"


def _wanted(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if name not in ("Kbuild", "Makefile"):
        return False
    return "/" not in rel or rel.startswith(SLICE_DIRS)


def _cut_slice(deb: Path, out: Path) -> None:
    """Stream the package's tarball and keep the slice's Makefiles (same paths, same prefix)."""
    dpkg = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    assert dpkg.stdout is not None
    kept: list[tuple[tarfile.TarInfo, bytes]] = []
    with tarfile.open(fileobj=dpkg.stdout, mode="r|") as outer:
        for member in outer:
            if member.name.endswith(f"{PACKAGE}.tar.xz"):
                inner_file = outer.extractfile(member)
                assert inner_file is not None
                with tarfile.open(fileobj=inner_file, mode="r|xz") as inner:
                    for m in inner:
                        rel = m.name.split("/", 1)[-1]
                        if m.isfile() and _wanted(rel):
                            data = inner.extractfile(m)
                            assert data is not None
                            kept.append((m, data.read()))
                break
    dpkg.stdout.close()
    dpkg.wait()
    partial = out.with_suffix(".part")
    with tarfile.open(partial, "w:gz") as tar:
        for info, data in kept:
            tar.addfile(info, io.BytesIO(data))
    partial.rename(out)


@pytest.fixture(scope="session")
def real_slice() -> Path:
    """The cached slice tarball of the real linux-source-6.1 tree (built on first use)."""
    out = CACHE / f"{PACKAGE}-slice.tar.gz"
    if out.exists():
        return out
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        pytest.skip("apt-get/dpkg-deb not available: cannot fetch Debian's linux-source-6.1")
    CACHE.mkdir(parents=True, exist_ok=True)
    debs = sorted(CACHE.glob(f"{PACKAGE}_*.deb"))
    if not debs:
        got = subprocess.run(
            ["apt-get", "download", PACKAGE], cwd=CACHE, capture_output=True, text=True
        )
        debs = sorted(CACHE.glob(f"{PACKAGE}_*.deb"))
        if got.returncode != 0 or not debs:
            pytest.skip(f"apt-get download {PACKAGE} failed: {got.stderr.strip()[-200:]}")
    _cut_slice(debs[-1], out)
    debs[-1].unlink()  # 139 MB; the 300 kB slice is what the tests read
    return out


def test_map_from_the_real_tarball_agrees_with_the_bundled_61_map(real_slice: Path) -> None:
    kmap = map_from_source(real_slice)
    assert kmap.series == "6.1" and kmap.origin is MapOrigin.SOURCE
    assert kmap.where == str(real_slice)
    bundled = load_bundled("6.1")
    wireless = [k for k in bundled.objs if k.startswith("drivers/net/wireless/")]
    assert len(wireless) > 500
    if kmap.kernel == bundled.kernel:  # same tarball: same rules for every sliced object
        assert {k: kmap.objs[k] for k in wireless} == {k: bundled.objs[k] for k in wireless}
        assert (
            kmap.dirs["drivers/net/wireless/realtek/"]
            == bundled.dirs["drivers/net/wireless/realtek/"]
        )

    config = load_config(EXAMPLE)
    off = evaluate_file("drivers/net/wireless/realtek/rtl818x/rtl8180/dev.c", kmap, config)
    assert off.verdict is BuildVerdict.NOT_BUILT and "CONFIG_WLAN_VENDOR_REALTEK" in off.evidence
    on = evaluate_file("net/bluetooth/l2cap_core.c", kmap, config)
    assert on.verdict is BuildVerdict.BUILT
    outside = evaluate_file("fs/ext4/super.c", kmap, config)  # not in the slice
    assert outside.verdict is BuildVerdict.UNKNOWN and outside.not_in_map
    assert outside.evidence.startswith("fs/ext4/super.c not in the Kbuild map of linux 6.1")

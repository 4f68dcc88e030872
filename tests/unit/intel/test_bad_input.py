"""Bad feed input: clear warnings counted in db status, never a crash, never a silent drop."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from soupwatch.intel.cve5 import Cve5Feed
from soupwatch.intel.nvd_legacy import NvdLegacyFeed
from soupwatch.intel.osv import OsvFeed
from soupwatch.intel.source import FeedSource, UnpackLimits
from soupwatch.intel.status import feed_status
from soupwatch.store.db import Store

NOW = datetime(2026, 11, 28, tzinfo=UTC)
GOOD = "nvdcve-1.1-2002-subset.json.gz"


def _legacy_mirror(feeds: Path, root: Path) -> Path:
    folder = root / "nvd-1.1"
    folder.mkdir(parents=True)
    shutil.copy(feeds / "nvd-1.1" / GOOD, folder)
    return folder


def test_legacy_bad_files_are_warned_and_skipped(store: Store, feeds: Path, tmp_path: Path) -> None:
    folder = _legacy_mirror(feeds, tmp_path)
    recent = (feeds / "nvd-1.1/nvdcve-1.1-recent.json.gz").read_bytes()
    (folder / "nvdcve-1.1-2003-subset.json.gz").write_bytes(recent[: len(recent) // 2])
    shutil.copy(feeds / "nvd-1.1/nvdcve-1.1-recent.json.gz", folder / "nvdcve-1.1-recent.json.gz")
    (folder / "nvdcve-1.1-recent.meta").write_text("sha256:" + "AB" * 32 + "\n")
    (folder / "nvdcve-1.1-2004-subset.json.gz").write_bytes(gzip.compress(b'{"CVE_Items": [ {'))
    (folder / "nvdcve-1.1-2005-subset.json.gz").write_bytes(
        gzip.compress(json.dumps({"CVE_data_version": "9.9", "CVE_Items": []}).encode())
    )
    doc = json.loads(gzip.decompress((feeds / "nvd-1.1" / GOOD).read_bytes()))
    doc["CVE_Items"] = [{"cve": {"CVE_data_meta": {}}}, *doc["CVE_Items"][:3]]
    (folder / "nvdcve-1.1-2006-subset.json.gz").write_bytes(gzip.compress(json.dumps(doc).encode()))

    result = NvdLegacyFeed().sync(
        store.intel_sink(), FeedSource(mirror=tmp_path, clock=lambda: NOW)
    )
    text = "\n".join(result.warnings)
    assert "2003-subset.json.gz: truncated or corrupt gzip" in text
    assert "recent.json.gz: sha256 of the uncompressed JSON does not match .meta" in text
    assert "2004-subset.json.gz (line 1 column" in text and "corrupt JSON" in text
    assert "2005-subset.json.gz ($.CVE_data_version): unknown CVE_data_version '9.9'" in text
    assert "2006-subset.json.gz ($.CVE_Items[0]): item skipped" in text
    assert len(result.warnings) == 5
    assert result.records == 82 + 3
    status = {s.source: s for s in feed_status(store, ["nvd-legacy"], NOW)}["nvd-legacy"]
    assert status.warnings == 5 and status.records == 82


def test_replacing_a_good_file_by_a_truncated_one_keeps_old_data(
    store: Store, feeds: Path, tmp_path: Path
) -> None:
    folder = _legacy_mirror(feeds, tmp_path)
    source = FeedSource(mirror=tmp_path, clock=lambda: NOW)
    assert NvdLegacyFeed().sync(store.intel_sink(), source).records == 82
    raw = (folder / GOOD).read_bytes()
    (folder / GOOD).write_bytes(raw[:-100])
    again = NvdLegacyFeed().sync(store.intel_sink(), source)
    assert again.records == 0 and "truncated or corrupt gzip" in again.warnings[0]
    assert feed_status(store, [], NOW)[0].records == 82


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_osv_zip_traversal_bomb_and_bad_advisories(store: Store, tmp_path: Path) -> None:
    good = {
        "id": "PYSEC-0000-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"}}],
    }
    folder = tmp_path / "osv" / "PyPI"
    folder.mkdir(parents=True)
    (folder / "all.zip").write_bytes(
        _zip(
            {
                "PYSEC-0000-1.json": json.dumps(good).encode(),
                "../../evil.json": json.dumps({**good, "id": "EVIL-1"}).encode(),
                "bomb.json": b" " * 3_000_000,
                "future.json": json.dumps(
                    {**good, "id": "X-2", "schema_version": "2.0.0"}
                ).encode(),
                "broken.json": b'{"id": ',
            }
        )
    )
    limits = UnpackLimits(max_member_bytes=1_000_000)
    result = OsvFeed().sync(
        store.intel_sink(), FeedSource(mirror=tmp_path, limits=limits, clock=lambda: NOW)
    )
    text = "\n".join(result.warnings)
    assert "member '../../evil.json' has an unsafe path; skipped" in text
    assert "member bomb.json is 3000000 bytes, over the limit of 1000000; skipped" in text
    assert "unknown OSV schema_version '2.0.0'" in text
    assert "all.zip!broken.json (line 1 column 8): corrupt JSON" in text
    assert result.records == 1 and len(result.warnings) == 4

    with store.session() as session:
        found = store.intel(session).osv_candidates([("PyPI", "demo-pkg")])
    assert [c.vuln_id for c in found[("PyPI", "demo-pkg")]] == ["PYSEC-0000-1"]


def test_cve5_unknown_version_and_member_count_limit(store: Store, tmp_path: Path) -> None:
    record = {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {"cveId": "CVE-2099-0001", "state": "PUBLISHED"},
        "containers": {"cna": {"affected": [{"product": "Widget", "vendor": "Acme"}]}},
    }
    members = {
        f"cves/2099/0xxx/CVE-2099-000{i}.json": json.dumps(
            {**record, "cveMetadata": {**record["cveMetadata"], "cveId": f"CVE-2099-000{i}"}}
        ).encode()
        for i in range(1, 5)
    }
    members["cves/2099/0xxx/CVE-2099-0009.json"] = json.dumps(
        {**record, "dataVersion": "6.0"}
    ).encode()
    (tmp_path / "cve5").mkdir()
    (tmp_path / "cve5" / "subset.zip").write_bytes(_zip(members))
    limits = UnpackLimits(max_members=4)
    result = Cve5Feed().sync(
        store.intel_sink(), FeedSource(mirror=tmp_path, limits=limits, clock=lambda: NOW)
    )
    assert result.records == 4
    assert result.warnings == (
        "cve5/subset.zip: 5 members, over the limit of 4; the rest are skipped",
    )
    again = Cve5Feed().sync(
        store.intel_sink(), FeedSource(mirror=tmp_path, limits=limits, clock=lambda: NOW)
    )
    assert again.records == 0 and again.resumed  # same archive, already imported: skipped
    del members["cves/2099/0xxx/CVE-2099-0004.json"]
    (tmp_path / "cve5" / "subset.zip").write_bytes(_zip(members))
    changed = Cve5Feed().sync(store.intel_sink(), FeedSource(mirror=tmp_path, clock=lambda: NOW))
    assert changed.records == 3
    assert [w.split(": ", 1)[1] for w in changed.warnings] == ["unknown CVE JSON dataVersion '6.0'"]
    with store.session() as session:
        widget = store.intel(session).cna_candidates(["widget"])["widget"]
    # the record the new archive no longer holds is gone; the others were replaced
    assert [c.vuln_id for c in widget] == ["CVE-2099-0001", "CVE-2099-0002", "CVE-2099-0003"]


def test_a_mirror_file_over_the_read_limit_is_refused_before_it_is_read(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fuzz run's feed-kev input 88021 (1.8 GB) was read whole before any limit looked at
    it: mirror files are read like every other untrusted input, within max_input_bytes."""
    from soupwatch.errors import FeedFormatError
    from soupwatch.intel.kev import MIRROR_PATH, KevFeed

    path = tmp_path / MIRROR_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"vulnerabilities": [' + b"[]," * 1000 + b"[]]}")
    monkeypatch.setenv("SOUPWATCH_LIMIT_MAX_INPUT_BYTES", "1000")
    with pytest.raises(FeedFormatError) as caught:
        KevFeed().sync(store.intel_sink(), FeedSource(mirror=tmp_path, clock=lambda: NOW))
    message = str(caught.value)
    assert "refused without reading it" in message and "SOUPWATCH_LIMIT_MAX_INPUT_BYTES" in message
    assert "\n" not in message

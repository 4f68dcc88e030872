"""Precision and recall of binary discovery on 37 real Debian binaries with known contents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soupwatch.discover import discover_path

FLOOR = 0.95

pytestmark = pytest.mark.shared


def _pair(cpe: str) -> tuple[str, str]:
    parts = cpe.split(":")
    version = parts[5] if parts[6] in ("*", "-") else parts[5] + parts[6]
    return f"{parts[3]}:{parts[4]}", version


def test_binary_corpus_precision_and_recall(corpus: Path) -> None:
    root = corpus / "binaries"
    manifest = json.loads((root / "manifest.json").read_text())
    truth: set[tuple[str, str, str]] = set()
    reported: set[tuple[str, str, str]] = set()
    versionless: list[str] = []
    for item in manifest:
        for c in item["components"]:
            truth.add((item["id"], *_pair(c["cpe"])))
        doc = discover_path(root / item["file"])
        for comp in doc.components:
            assert comp.cpe, f"{item['id']}: {comp.display} has no CPE"
            product, version = _pair(comp.cpe)
            if comp.version is None:
                versionless.append(f"{item['id']}: {product} (no version)")
                reported.add((item["id"], product, "*"))
            else:
                reported.add((item["id"], product, version))
    truth_products = {(i, p) for i, p, _ in truth}
    hits = reported & truth
    wrong = sorted(r for r in reported - truth if not (r[2] == "*" and r[:2] in truth_products))
    missed = sorted(truth - reported)
    counted = {r for r in reported if r[2] != "*"} | set(wrong)
    precision = len(hits) / max(1, len(counted))
    recall = len(hits) / len(truth)
    print(
        f"\nbinary discovery on {len(manifest)} binaries: precision {precision:.3f} "
        f"({len(hits)}/{len(counted)}), recall {recall:.3f} ({len(hits)}/{len(truth)})"
    )
    for w in wrong:
        print("  not in the manifest:", w)
    for m in missed:
        print("  missed:", m)
    for v in versionless:
        print("  product without version:", v)
    assert precision >= FLOOR, f"precision {precision:.3f}; not in manifest: {wrong}"
    assert recall >= FLOOR, f"recall {recall:.3f}; missed: {missed}"


def test_sqlite_source_id_resolves_to_release(corpus: Path) -> None:
    doc = discover_path(corpus / "binaries" / "deb-sqlite3-cli" / "sqlite3")
    (sqlite,) = [c for c in doc.components if c.name == "SQLite"]
    assert sqlite.version == "3.40.1"
    ev = sqlite.provenance[0].evidence[0]
    assert ev.text is not None and "2022-12-28 14:03:47 df5c253c" in ev.text
    assert ev.location == "sqlite3" and ev.offset is not None


def test_evidence_names_file_offset_and_text(corpus: Path) -> None:
    path = corpus / "binaries" / "deb-openssh-sshd" / "sshd"
    doc = discover_path(path)
    (ssh,) = doc.components
    assert ssh.cpe == "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*"
    ev = ssh.provenance[0].evidence[0]
    data = path.read_bytes()
    assert ev.offset is not None and data[ev.offset : ev.offset + 13] == b"OpenSSH_9.2p1"
    assert ssh.provenance[0].method == "binary-signature"


def test_soname_only_library_reports_product_without_a_guessed_version(corpus: Path) -> None:
    doc = discover_path(corpus / "binaries" / "deb-libssl3-libssl" / "libssl.so.3")
    (ssl,) = doc.components
    assert ssl.name == "OpenSSL" and ssl.version is None
    text = ssl.provenance[0].evidence[0].text or ""
    assert "DT_SONAME libssl.so.3" in text and "version not found" in text

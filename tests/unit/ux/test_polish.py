"""Regression tests for the second CLI polish list (newcomer run-through, wave two)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soupwatch.config import Settings
from tests.conftest import run_cli

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PUMP = EXAMPLES / "infusion-pump.cdx.json"


@pytest.mark.shared
def test_sbom_generate_to_unwritable_path_is_one_line_exit_2(
    cli_env: Settings, corpus: Path
) -> None:
    code, _, err = run_cli(
        "sbom", "generate", str(corpus / "binaries" / "deb-busybox"), "-o", "/proc/x"
    )
    assert code == 2 and "Traceback" not in err
    assert "\nerror: /proc/x: cannot write the cyclonedx-json SBOM: " in err


def test_sbom_generate_to_a_missing_folder_is_refused_before_the_scan(
    cli_env: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "bom.json"
    code, _, err = run_cli("sbom", "generate", str(tmp_path / "absent.img"), "-o", str(target))
    assert code == 2 and err.startswith(f"error: {target}: cannot write") and "absent" not in err


@pytest.mark.shared
def test_sbom_generate_says_where_it_wrote(cli_env: Settings, corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "bom.spdx.json"
    code, _, err = run_cli(
        "sbom",
        "generate",
        str(corpus / "binaries" / "deb-busybox"),
        "--format",
        "spdx-json",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert f"wrote spdx-json SBOM to {target}" in err
    assert json.loads(target.read_text())["spdxVersion"] == "SPDX-2.3"


def _pump_and_nvd(shared: Path) -> None:
    """infusion-pump 3.2.0 (OpenSSL 1.1.1k) and the small NVD mirror feed."""
    assert (
        run_cli("sbom", "import", str(PUMP), "--product", "infusion-pump", "--release", "3.2.0")[0]
        == 0
    )
    assert run_cli("db", "update", "--source", "nvd", "--mirror", str(shared / "feeds"))[0] == 0


def _vex_set(*extra: str) -> tuple[int, str, str]:
    return run_cli("vex", "set", "--state", "in_triage", *extra)


@pytest.mark.shared
def test_vex_set_warns_about_unknown_ids_and_components_and_refuses_unknown_products(
    cli_env: Settings, shared: Path
) -> None:
    _pump_and_nvd(shared)
    code, out, err = _vex_set("--product", "infusion-pump", "--vulnerability", "CVE-2099-0001")
    assert code == 0 and "recorded decision 1" in out
    assert err == (
        "warning: vulnerability: CVE-2099-0001 is unknown to the synced feeds (mistyped, or not "
        "synced yet: soupwatch db update); recorded anyway\n"
    )
    # An unknown product is refused (the CLI and the API alike, docs/vex.md): a typo must not
    # store a decision that reaches nothing.
    code, out, err = _vex_set("--product", "infusoin-pump", "--vulnerability", "CVE-2014-0160")
    assert (code, out) == (2, "")
    assert err == "error: product: no product named 'infusoin-pump' (soupwatch products list)\n"
    base = ("--product", "infusion-pump", "--vulnerability", "CVE-2014-0160")
    code, _, err = _vex_set(*base, "--component", "openssh")
    assert code == 0
    assert err == (
        "warning: component: no component 'openssh' in any release of infusion-pump; "
        "recorded anyway\n"
    )
    code, _, err = _vex_set(*base, "--component", "openssl@1.0.1f")
    assert code == 0 and err == (
        "warning: component: any release of infusion-pump ships openssl 1.1.1k, not "
        "openssl@1.0.1f; recorded anyway\n"
    )
    code, _, err = _vex_set(*base, "--release", "9.9", "--scope", "release")
    assert code == 2
    assert err == "error: release: product 'infusion-pump' has no release '9.9'\n"
    code, _, err = _vex_set(*base, "--release", "3.2.0", "--component", "OpenSSL@1.1.1k")
    assert (code, err) == (0, "")
    code, out, _ = run_cli("vex", "list", "--format", "json")
    assert len(json.loads(out)) == 4  # the refused ones stored nothing


def test_vex_list_and_export_of_an_unknown_product_exit_2(
    cli_env: Settings, tmp_path: Path
) -> None:
    code, out, err = run_cli("vex", "list", "--product", "nope")
    assert code == 2 and out == "" and err.startswith("error: no product named 'nope'")
    target = tmp_path / "vex.json"
    args = ("--release", "1.0", "--format", "openvex", "-o", str(target))
    code, _, err = run_cli("vex", "export", "--product", "nope", *args)
    assert code == 2 and err.startswith("error: no product named 'nope'")
    assert not target.exists()


def test_vex_import_of_a_document_without_statements_warns(
    cli_env: Settings, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.openvex.json"
    empty.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": "https://example.com/vex/empty",
                "author": "qa",
                "timestamp": "2025-01-01T00:00:00Z",
                "version": 1,
                "statements": [],
            }
        ),
        encoding="utf-8",
    )
    code, out, err = run_cli("vex", "import", str(empty), "--product", "infusion-pump")
    assert code == 0 and "imported 0 statements" in out
    assert f"warning: no VEX statements in {empty}\n" in err


@pytest.mark.shared
def test_assess_compact_table_fits_80_columns_and_wide_keeps_every_column(
    cli_env: Settings, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soupwatch.cli import common

    monkeypatch.setattr(common.console, "_width", 80)  # rich reads COLUMNS only at start
    _pump_and_nvd(shared)
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("scan", str(PUMP), *args, "--format", "json", "-o", "/dev/null")[0] == 0
    profile = str(EXAMPLES / "infusion-pump.profile.yaml")
    code, out, err = run_cli("assess", *args, "--profile", profile, "--compact")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.lstrip().startswith("#"))
    assert header.split() == [
        "#",
        "vulnerability",
        "component",
        "risk",
        "category",
        "fix",
        "by",
        "VEX",
    ]
    assert any("CVE-2022-39176" in line and "UNCONTROLLED" in line for line in lines)
    assert "--wide or --format json" in out
    # not a terminal (a CI log, a pipe): the wide table, as before
    code, out, _ = run_cli("assess", *args, "--profile", profile)
    assert code == 0 and "base→ctx" in out and "KEV/SSVC/EPSS" in out
    assert max(len(line) for line in out.splitlines()) > 80


def test_assess_is_compact_only_in_a_terminal_unless_told() -> None:
    from soupwatch.cli.assess_cmd import use_compact

    assert use_compact(None, is_terminal=True)
    assert not use_compact(None, is_terminal=False)
    assert not use_compact(True, is_terminal=True)  # --wide
    assert use_compact(False, is_terminal=False)  # --compact


def test_report_soup_infers_the_format_and_says_where_it_wrote(
    cli_env: Settings, tmp_path: Path
) -> None:
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("sbom", "import", str(PUMP), *args)[0] == 0
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "soup.csv"
    code, out, err = run_cli("report", "soup", *args, "-o", str(deep))
    assert (code, err) == (0, "")
    assert out == f"wrote the SOUP list (csv) to {deep.resolve()}\n"  # one line, never wrapped
    assert deep.read_text().splitlines()[0].count(",") >= 3  # CSV, not HTML
    code, out, _ = run_cli("report", "soup", *args, "--format", "json", "-o", str(deep))
    assert code == 0 and out.startswith("wrote the SOUP list (json) to ")
    assert json.loads(deep.read_text())["items"]


def test_report_mds2_infers_the_format_and_refuses_an_unknown_suffix(
    cli_env: Settings, tmp_path: Path
) -> None:
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("sbom", "import", str(PUMP), *args)[0] == 0
    txt = tmp_path / "m.txt"
    code, out, err = run_cli("report", "mds2", *args, "-o", str(txt))
    assert code == 2 and out == "" and not txt.exists()
    assert err == (
        f"error: {txt}: cannot tell the MDS2 format from the file name: name it .html or "
        ".json, or give --format\n"
    )
    html = tmp_path / "m.HTM"
    code, out, err = run_cli("report", "mds2", *args, "-o", str(html))
    assert (code, err) == (0, "") and out == f"wrote the MDS2 answers (html) to {html}\n"
    assert "SBOM-2.2" in html.read_text() and html.read_text().lstrip().startswith("<!")
    code, out, _ = run_cli("report", "mds2", *args, "--format", "json", "-o", str(txt))
    assert code == 0 and json.loads(txt.read_text())["sections"]["SBOM"]


@pytest.mark.shared
@pytest.mark.synced("cve5")
def test_scan_table_shows_the_fix_on_the_components_own_line_first(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soupwatch.cli import common

    # rich reads COLUMNS once, when the console is made: fix this console's width instead
    monkeypatch.setattr(common.console, "_width", 120)
    code, out, _ = run_cli("scan", str(PUMP), "--format", "json")
    assert code == 0
    kernel = next(c for c in json.loads(out)["components"] if c["name"] == "linux")
    by_id = {v["id"]: v["fixed_versions"] for v in kernel["vulnerabilities"]}
    fixes = by_id["CVE-2019-25162"]  # JSON keeps every branch's fix
    assert len(fixes) == 8 and "5.10.137" in fixes and fixes[0] != "5.10.137"
    code, out, _ = run_cli("scan", str(PUMP), "--limit", "0")  # every row, not the worst 20
    assert code == 0
    row = next(line for line in out.splitlines() if "CVE-2019-25162" in line)
    assert "5.10.137 +7 more" in row  # linux 5.10.52: the 5.10 branch's fix, not 4.x or 6.x
    assert all(f not in row for f in fixes if f != "5.10.137")
    # no fix on the 5.10 line: the next line's fix, still one version
    row = next(line for line in out.splitlines() if "CVE-2021-46926" in line)
    assert "5.15.13 +1 more" in row


@pytest.mark.shared
def test_db_status_quotes_the_first_warning_and_says_where_the_rest_are(
    cli_env: Settings, shared: Path, tmp_path: Path
) -> None:
    catalog = json.loads(
        (shared / "feeds/kev/known_exploited_vulnerabilities.json").read_text(encoding="utf-8")
    )
    for entry in catalog["vulnerabilities"][:3]:
        del entry["cveID"]  # three broken entries: three warnings
    mirror = tmp_path / "mirror"
    (mirror / "kev").mkdir(parents=True)
    (mirror / "kev/known_exploited_vulnerabilities.json").write_text(
        json.dumps(catalog), encoding="utf-8"
    )
    assert run_cli("db", "update", "--source", "kev", "--mirror", str(mirror))[0] == 0
    code, out, _ = run_cli("db", "status")
    assert code == 0
    assert (
        "kev: warning: kev/known_exploited_vulnerabilities.json ($.vulnerabilities[0]): entry "
        "without cveID/dateAdded; skipped (+2 more)\n" in out
    )
    assert out.endswith("soupwatch db status --format json shows them all\n")
    code, out, _ = run_cli("db", "status", "--format", "json")
    kev = next(r for r in json.loads(out) if r["source"] == "kev")
    assert kev["warnings"] == 3 and len(kev["warning_messages"]) == 3


def test_db_status_without_warnings_adds_no_notes(cli_env: Settings) -> None:
    code, out, _ = run_cli("db", "status")
    assert code == 0 and "warning:" not in out and "shows them all" not in out


@pytest.mark.shared
def test_assess_table_shows_the_highest_priority_findings_and_says_how_many_more(
    cli_env: Settings, shared: Path
) -> None:
    _pump_and_nvd(shared)
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("scan", str(PUMP), *args, "--format", "json", "-o", "/dev/null")[0] == 0
    profile = str(EXAMPLES / "infusion-pump.profile.yaml")
    code, full, _ = run_cli("assess", *args, "--profile", profile, "--format", "json")
    total = len(json.loads(full)["findings"])
    assert code == 0 and total > 1
    code, out, _ = run_cli("assess", *args, "--profile", profile, "--wide", "--limit", "1")
    assert code == 0
    assert f"showing the 1 highest-priority of {total} findings" in " ".join(out.split())

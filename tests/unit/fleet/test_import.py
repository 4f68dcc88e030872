"""Unit exports in (good and hostile files), the ``soupwatch fleet`` CLI and ``impact`` with its
fleet, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from soupwatch.config import Settings, input_limits
from soupwatch.errors import FleetError
from soupwatch.fleet.importer import parse_units, read_units
from soupwatch.store.db import Store
from tests.conftest import run_cli

from .conftest import UNITS_CSV, V1, V2, seed

HEADER = "serial,product,release,site,customer,installed_on\n"
HOSTILE: list[tuple[str, bytes, str]] = [
    (
        "bad date",
        (HEADER + "A1,Pump,1.0,N,C,2026-13-01\n").encode(),
        "units.csv (line 2, column installed_on): installed_on '2026-13-01' is not a date",
    ),
    (
        "unknown column",
        b"serial,product,release,site,customer,colour\n",
        "units.csv (line 1, column 6): unknown column 'colour'",
    ),
    (
        "missing column",
        b"serial,product,release,site\nA,P,1,S\n",
        "units.csv (line 1): the required column 'customer' is missing",
    ),
    (
        "ragged row",
        (HEADER + "A1,Pump,1.0,N\n").encode(),
        "units.csv (line 2): 4 fields, the header names 6",
    ),
    (
        "blank required",
        (HEADER + "A1,Pump,1.0,,C,\n").encode(),
        "units.csv (line 2, column site): site is required",
    ),
    (
        "duplicate serial",
        (HEADER + "A1,Pump,1.0,N,C,\nA1,Pump,1.0,N,C,\n").encode(),
        "units.csv (line 3): serial 'A1' is listed again (first at line 2)",
    ),
    (
        "control character",
        (HEADER + "A1,Pump,1.0,N\x00x,C,\n").encode(),
        "units.csv (line 2, column site): site holds a control character",
    ),
    (
        "serial with a space",
        (HEADER + "A 1,Pump,1.0,N,C,\n").encode(),
        "column serial): serial 'A 1' may hold only",
    ),
    (
        "multi-line cell",
        (HEADER + 'A1,Pump,1.0,"N\nS",C,\n').encode(),
        "column site): site holds a control character",
    ),
    (
        "not UTF-8",
        (HEADER + "A1,Pump,1.0,N,C,\n").encode() + b"\xff\n",
        "units.csv (line 3): not UTF-8",
    ),
    (
        "a 300-character product",
        (HEADER + "A1," + "P" * 300 + ",1.0,N,C,\n").encode(),
        "column product): product is 300 characters, above 255",
    ),
    ("empty", b"", "units.csv (line 1): empty file"),
    (
        "status",
        b"serial,product,release,site,customer,status\nA,P,1,S,C,lost\n",
        "column status): status 'lost' is not one of",
    ),
]
JSON_HOSTILE: list[tuple[str, bytes, str]] = [
    ("not a list", b'{"units": 3}', "units.json ($): expected a list of units"),
    ("not an object", b"[1]", "units.json (units[0]): a unit must be an object, not int"),
    (
        "unknown key",
        b'[{"serial": "A", "colour": 1}]',
        "units.json (units[0]): unknown key 'colour'",
    ),
    (
        "number as text",
        b'[{"serial": 7, "product": "P", "release": "1", "site": "S", "customer": "C"}]',
        "(units[0], column serial): serial must be text, not int",
    ),
    ("broken JSON", b'[{"serial": ', "units.json (line 1, column 13): invalid JSON"),
    ("too deep", b"[" * 5000 + b"]" * 5000, "units.json"),
    (
        "check-in without zone",
        b'[{"serial": "A", "product": "P", "release": "1", "site": "S", "customer": "C", '
        b'"last_check_in": "2026-01-01T08:00"}]',
        "column last_check_in): last_check_in '2026-01-01T08:00' is not an ISO 8601 time "
        "with a time zone",
    ),
]


@pytest.mark.parametrize(
    ("case", "raw", "message"),
    HOSTILE + JSON_HOSTILE,
    ids=[c for c, _, _ in HOSTILE + JSON_HOSTILE],
)
def test_hostile_exports_are_one_line_errors(case: str, raw: bytes, message: str) -> None:
    name = "units.json" if (case, raw, message) in JSON_HOSTILE else "units.csv"
    with pytest.raises(FleetError) as caught:
        parse_units(raw, name, input_limits({}))
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_special_files_are_refused_unread(tmp_path: Path) -> None:
    fifo = tmp_path / "units.csv"
    os.mkfifo(fifo)
    with pytest.raises(FleetError, match="a FIFO, not a regular file"):
        read_units(fifo, input_limits({}))


def test_cli_import_campaign_show_metrics_impact(cli_env: Settings, tmp_path: Path) -> None:
    store = Store.open(cli_env)
    try:
        seed(store)  # U1–U4 imported, campaigns run
    finally:
        store.close()
    # A file with one bad row stores nothing (exit 2, one line naming file, line, column).
    bad = tmp_path / "more.csv"
    bad.write_text(
        "serial,product,release,site,customer\nU5,Pump,1.0,East,General\nU6,Pump,3.0,East,General\n"
    )
    code, _, err = run_cli("fleet", "import", str(bad))
    assert code == 2 and err.strip() == (
        f"error: {bad} (line 3, column release): "
        "no release Pump 3.0 is stored (import its SBOM first)"
    )
    code, out, _ = run_cli("fleet", "list", "--site", "East", "--format", "json")
    assert code == 0 and json.loads(out) == []
    # Re-importing units on the release they run updates them and records no move.
    again = tmp_path / "units.json"
    rows = [
        dict(zip(UNITS_CSV.splitlines()[0].split(","), line.split(","), strict=True))
        for line in UNITS_CSV.splitlines()[1:]
    ]
    again.write_text(
        json.dumps(
            {
                "units": [
                    {k: v for k, v in r.items() if v} for r in rows if r["serial"] in ("U3", "U4")
                ]
            }
        )
    )
    code, out, err = run_cli("fleet", "import", str(again), "--format", "json")
    assert code == 0, err
    assert json.loads(out) | {"source": ""} == {
        "source": "",
        "units": 2,
        "added": 0,
        "updated": 2,
        "moves": 0,
    }
    code, out, err = run_cli(
        "fleet",
        "campaign",
        "autumn",
        "U3",
        "--product",
        "Pump",
        "--to",
        "1.1",
        "--on",
        "2026-05-01",
    )
    assert code == 0 and "1 unit(s) moved to Pump 1.1" in out, err
    code, out, _ = run_cli("fleet", "show", "U3", "--format", "json")
    shown = json.loads(out)
    assert shown["release"] == "1.1" and shown["moves"][-1] == {
        "from_release": "1.0",
        "to_release": "1.1",
        "moved_on": "2026-05-01",
        "how": "campaign:autumn",
    }
    code, out, _ = run_cli(
        "fleet", "metrics", "--site", "South", "--quarter", "2026-Q1", "--format", "json"
    )
    south = json.loads(out)["rows"][0]
    # U3 moved 1.0 → 1.1 on 05-01: V1 patched, 1.1 stored 02-15 → 75 days (14 + 31 + 30).
    assert south["release_to_deployment"]["median_days"] == 75.0
    assert south["patched"]["share"] == 0.75  # U3: V1 patched, V2 not yet; U4: both patched
    code, out, _ = run_cli("fleet", "metrics")
    assert code == 0 and "(all sites)" in out
    if cli_env.database_url.startswith("sqlite"):  # printing is the database's no business
        pdf = tmp_path / "metrics.pdf"
        code, _, err = run_cli("fleet", "metrics", "--format", "pdf", "-o", str(pdf))
        assert code == 0 and pdf.read_bytes().startswith(b"%PDF"), err
    code, out, _ = run_cli("impact", V2, "--format", "json")
    fleet = json.loads(out)["fleet"]
    assert [(r["release"], r["units"]) for r in fleet["releases"]] == [("1.0", 0), ("1.1", 2)]
    code, out, _ = run_cli("impact", V1)
    assert code == 0 and "fleet:" not in out  # no unit runs 1.0 any more

"""Coordinated vulnerability disclosure over the API and the form: intake without an account,
the rate limit per address, the tracking id's status (and nothing else), triage; security.txt."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soupwatch.config import Settings
from soupwatch.disclosure import intake
from soupwatch.disclosure.intake import IntakeLimits
from soupwatch.disclosure.securitytxt import security_txt
from soupwatch.disclosure.settings import SecurityTxtSettings
from soupwatch.errors import ConfigError
from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, audit
from soupwatch.server.app import create_app
from soupwatch.store.provider_tables import DisclosureReportRow
from tests.conftest import run_cli
from tests.unit.server.conftest import NOW, Client, add_user, admin_client

from .conftest import options

REPORT = {
    "title": "Hard-coded service password",
    "description": "The pump's service shell accepts 'acme123'.\nSteps: connect on port 2323.",
    "reporter_name": "R. Searcher",
    "reporter_contact": "r@example.org",
    "product": "infusion-pump 1.0",
}
SECURITY_TXT = SecurityTxtSettings(
    contacts=("mailto:psirt@acme-medical.example", "https://acme-medical.example/disclose"),
    expires=datetime(2027, 6, 1, tzinfo=UTC),
    policy="https://acme-medical.example/cvd-policy",
    canonical=("https://acme-medical.example/.well-known/security.txt",),
)


def _app(settings: Settings, **kwargs: Any) -> Any:
    served = replace(SECURITY_TXT, expires=datetime.now(UTC) + timedelta(days=200))
    return create_app(settings, options(security_txt=served, **kwargs))


def test_intake_status_rate_limit_triage_form(settings: Settings) -> None:
    app = _app(settings, intake_limits=IntakeLimits(per_address=4, max_body_bytes=8 * 1024))
    try:
        anonymous = Client(app)
        got = anonymous.post("/api/v1/disclosures", json=REPORT)
        assert got.status_code == 201, got.text
        receipt = got.json()
        token = receipt["tracking_id"]
        assert len(token) >= 32 and receipt["status"] == "received"
        seen = anonymous.get(receipt["status_url"]).json()
        assert set(seen) == {"status", "public_note", "received_at", "updated_at"}
        assert seen["status"] == "received"
        # a guessed or malformed tracking id: the same 404, nothing revealed
        for guess in (
            token[:-1] + ("A" if token[-1] != "A" else "B"),
            secrets.token_urlsafe(24),
            "1",
        ):
            r = anonymous.get(f"/api/v1/disclosures/{guess}")
            assert r.status_code == 404 and "infusion" not in r.text
        # bad fields: one line naming the field, nothing stored
        bad = anonymous.post("/api/v1/disclosures", json={**REPORT, "reporter_contact": "<b>x"})
        assert bad.status_code == 422 and "reporter_contact" in bad.json()["detail"]
        assert (
            anonymous.post("/api/v1/disclosures", json={**REPORT, "title": " "}).status_code == 422
        )
        assert anonymous.post("/api/v1/disclosures", json={**REPORT, "extra": 1}).status_code == 422
        big = anonymous.post("/api/v1/disclosures", json={**REPORT, "description": "x" * 9000})
        assert big.status_code == 413
        _form_escapes_what_it_shows_back(anonymous)
        # the address's limit (4 here): the API's and the form's reports count, then 429
        assert anonymous.post("/api/v1/disclosures", json=REPORT).status_code == 201
        assert anonymous.post("/api/v1/disclosures", json=REPORT).status_code == 201
        limited = anonymous.post("/api/v1/disclosures", json=REPORT)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert got.headers["cache-control"] == "no-store"
        # past the window the address's digest is forgotten and it may report again
        later = datetime.now(UTC) + timedelta(hours=2)
        again = intake.submit(
            app.state.store, intake.NewReport("t", "d"), client="127.0.0.1",
            limits=intake.IntakeLimits(per_address=4), now=later,
        )  # fmt: skip
        assert again.status.value == "received"
        with app.state.store.session() as session:
            digests = [r.client_digest for r in session.query(DisclosureReportRow)]
        assert digests.count("") == 4

        # triage: product security of the product's team
        admin = admin_client(app)
        assert admin.post("/api/v1/products", json={"name": "infusion-pump"}).status_code == 201
        assert admin.post("/api/v1/products", json={"name": "glucose-monitor"}).status_code == 201
        store = app.state.store
        for team, product in (("pump-team", "infusion-pump"), ("glucose-team", "glucose-monitor")):
            accounts.create_team(store, team, actor="test", now=NOW)
            accounts.set_grant(store, team, product, True, actor="test", now=NOW)
        psirt = add_user(app, "pat", Role.PRODUCT_SECURITY, teams=("pump-team",))
        other = add_user(app, "olga", Role.PRODUCT_SECURITY, teams=("glucose-team",))
        hospital = add_user(app, "hank", Role.HOSPITAL_CUSTOMER, teams=("pump-team",))
        assert hospital.get("/api/v1/disclosure-reports").status_code == 403
        assert anonymous.get("/api/v1/disclosure-reports").status_code == 401
        listed = psirt.get("/api/v1/disclosure-reports").json()
        assert len(listed) == 5 and "tracking_id" not in listed[0]
        number = listed[-1]["number"]
        assert listed[-1]["description"] == REPORT["description"]
        change = {
            "status": "accepted",
            "product": "infusion-pump",
            "public_note": "Confirmed; fix planned.",
        }
        r = psirt.request("PATCH", f"/api/v1/disclosure-reports/{number}", json=change)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "accepted" and r.json()["product"] == "infusion-pump"
        seen = anonymous.get(receipt["status_url"]).json()
        assert (seen["status"], seen["public_note"]) == ("accepted", "Confirmed; fix planned.")
        # linked to the pump: another team's triager no longer sees it
        assert other.get(f"/api/v1/disclosure-reports/{number}").status_code == 404
        assert number not in [x["number"] for x in other.get("/api/v1/disclosure-reports").json()]
        hidden = other.request(
            "PATCH",
            f"/api/v1/disclosure-reports/{listed[0]['number']}",
            json={"product": "infusion-pump"},
        )
        assert hidden.status_code == 404
        r = psirt.request(
            "PATCH", f"/api/v1/disclosure-reports/{number}", json={"status": "received"}
        )
        assert r.status_code == 422
        r = psirt.request(
            "PATCH", f"/api/v1/disclosure-reports/{number}", json={"vulnerability": "CVE-2014-0160"}
        )
        assert r.status_code == 422 and "has no finding of CVE-2014-0160" in r.json()["detail"]
        trail = [
            e for e in audit.export_audit(store).entries if e["action"].startswith("disclosure.")
        ]
        assert [(e["action"], e["actor"]) for e in trail] == [
            *[("disclosure.receive", "anonymous reporter")] * 5,
            ("disclosure.triage", "pat"),
        ]
        assert trail[-1]["old"]["status"] == "received" and trail[-1]["new"]["status"] == "accepted"
        served = anonymous.get("/.well-known/security.txt")
        assert served.status_code == 200 and served.headers["content-type"].startswith("text/plain")
        assert served.text.splitlines()[:2] == [
            "Contact: mailto:psirt@acme-medical.example",
            "Contact: https://acme-medical.example/disclose",
        ]
        assert "Policy: https://acme-medical.example/cvd-policy" in served.text
    finally:
        app.state.store.close()


def _form_escapes_what_it_shows_back(anonymous: Client) -> None:
    if True:
        page = anonymous.get("/disclose")
        assert page.status_code == 200 and 'action="/disclose"' in page.text
        hostile = {
            **REPORT,
            "title": "<script>alert(1)</script>",
            "reporter_contact": "<img src=x>",
        }
        refused = anonymous.post("/disclose", data=hostile)
        assert refused.status_code == 422
        assert "<script>" not in refused.text and "&lt;script&gt;" in refused.text
        assert "<img src=x>" not in refused.text
        done = anonymous.post("/disclose", data={**hostile, "reporter_contact": ""})
        assert done.status_code == 201 and "<script>" not in done.text
        token = done.text.split("<code>", 1)[1].split("</code>", 1)[0]
        assert anonymous.get(f"/api/v1/disclosures/{token}").json()["status"] == "received"
        cross = anonymous.post("/disclose", data=REPORT, headers={"origin": "https://evil.example"})
        assert cross.status_code == 403


def test_security_txt_generated(tmp_path: Path) -> None:
    assert security_txt(SECURITY_TXT, NOW).text.splitlines()[:3] == [
        "Contact: mailto:psirt@acme-medical.example",
        "Contact: https://acme-medical.example/disclose",
        "Expires: 2027-06-01T00:00:00Z",
    ]
    now = datetime(2027, 5, 20, tzinfo=UTC)
    near = security_txt(SECURITY_TXT, now)
    assert near.warnings and "expires in 12 day(s)" in near.warnings[0]
    with pytest.raises(ConfigError, match="Expires 2027-06-01T00:00:00Z has passed"):
        security_txt(SECURITY_TXT, now + timedelta(days=30))
    with pytest.raises(ConfigError, match="Contact must be an https://, mailto: or tel: URI"):
        security_txt(SecurityTxtSettings(("http://x.example",), SECURITY_TXT.expires), now)
    out = tmp_path / "security.txt"
    code, _, err = run_cli(
        "disclosure", "security-txt", "--contact", "mailto:psirt@acme-medical.example",
        "--expires", "2099-01-01T00:00:00+00:00", "-o", str(out),
    )  # fmt: skip
    assert code == 0 and "more than a year ahead" in err
    assert out.read_text().startswith("Contact: mailto:psirt@acme-medical.example\nExpires: 2099-")
    code, _, err = run_cli("disclosure", "security-txt", "--contact", "mailto:a@b.example")
    assert code == 2 and err.count("\n") == 1 and "--expires" in err

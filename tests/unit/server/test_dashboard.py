"""The server-rendered dashboard: portfolio, release page, impact page; no external assets."""

from __future__ import annotations

import pytest

from .conftest import SCANNED_FEEDS, Client


@pytest.mark.synced(*SCANNED_FEEDS)
def test_pages_render_the_portfolio(scanned: Client) -> None:
    recorded = scanned.request(
        "PUT", "/api/v1/products/infusion-pump/profile", params={"profile": "infusion-pump"}
    )
    assert recorded.status_code == 200, recorded.text
    home = scanned.get("/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    assert "infusion-pump" in home.text and "kev" in home.text.lower()
    assert "Infusion pump IP-200" in home.text  # the product's recorded device profile
    assert "no profile" not in home.text
    assert "<script" not in home.text and "https://" not in home.text  # no external assets
    page = scanned.get("/products/infusion-pump/releases/1.0")
    assert page.status_code == 200 and "openssl" in page.text and "actively-maintained" in page.text
    first = scanned.get("/api/v1/products/infusion-pump/releases/1.0/findings").json()
    counts = first["release"]["counts"]
    assert f"<strong>{counts['open']} open</strong>" in page.text  # the API's headline
    vid = first["items"][0]["vulnerability"]["id"]
    imp = scanned.get(f"/impact/{vid}")
    assert imp.status_code == 200 and "infusion-pump" in imp.text
    go = scanned.get("/impact", params={"vuln": vid}, follow_redirects=False)
    assert go.status_code == 303 and go.headers["location"] == f"/impact/{vid}"


def test_empty_portfolio_says_no_feeds(client: Client) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "No products yet" in home.text
    assert "No feed has been synced" in home.text
    assert client.get("/products/nope/releases/1").status_code == 404

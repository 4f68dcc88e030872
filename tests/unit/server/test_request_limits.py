"""Request bodies and path ids within the named limits (found by the api-request-body fuzzing
family): a JSON body nested past ``max_depth`` or holding a number past ``max_number_digits``
is 422 naming the limit, on every route (FastAPI's own parse included); NUL in a JSON string is
cleaned as at import; an id past the database's integer range is 422, not a 500."""

from __future__ import annotations

import json

import pytest

from soupwatch.server.params import MAX_ROW_ID

from .conftest import Client

PROBLEM = "application/problem+json"


def _problem(got: object, status: int) -> dict[str, object]:
    import httpx

    assert isinstance(got, httpx.Response)
    assert got.status_code == status, got.text
    assert got.headers["content-type"].startswith(PROBLEM)
    body = got.json()
    assert "\n" not in body["detail"]
    return dict(body)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/products", "/api/v1/disclosures", "/api/v1/notifications/channels"],
)
def test_a_body_nested_too_deep_is_422_naming_the_limit(client: Client, path: str) -> None:
    body = b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    got = client.post(path, content=body, headers={"content-type": "application/json"})
    assert "max_depth" in str(_problem(got, 422)["detail"])


def test_a_number_too_long_is_422_naming_the_limit(client: Client) -> None:
    body = b'{"scope": "read", "days": 1' + b"0" * 5000 + b"}"
    got = client.post("/api/v1/keys", content=body, headers={"content-type": "application/json"})
    assert "max_number_digits" in str(_problem(got, 422)["detail"])


@pytest.mark.parametrize("text", ["Ex\x00Co", "a\x07", "\ud800", "\ufffe"])
def test_an_unstorable_character_in_a_json_string_is_422_naming_the_field(
    client: Client, text: str
) -> None:
    """A file import cleans these (U+FFFD); a request is refused instead: its sender can send it
    again. Raw UTF-8 bytes of a surrogate (invalid UTF-8, which json.loads lets through) too."""
    body = json.dumps({"name": "pump-x", "manufacturer": text}).encode()
    got = client.post(
        "/api/v1/products", content=body, headers={"content-type": "application/json"}
    )
    assert "$..manufacturer" in str(_problem(got, 422)["detail"])
    raw = b'{"name": "pump-y", "manufacturer": "\xed\xa0\x80"}'
    got = client.post("/api/v1/products", content=raw, headers={"content-type": "application/json"})
    assert "$..manufacturer" in str(_problem(got, 422)["detail"])
    assert not any(p["name"].startswith("pump-") for p in client.get("/api/v1/products").json())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/incidents/{n}"),
        ("POST", "/api/v1/incidents/{n}/steps/contain"),
        ("GET", "/api/v1/alerts/{n}"),
        ("GET", "/api/v1/decisions/{n}"),
        ("GET", "/api/v1/jobs/{n}"),
        ("GET", "/api/v1/disclosure-reports/{n}"),
        ("DELETE", "/api/v1/notifications/rules/{n}"),
    ],
)
def test_an_id_past_the_integer_range_is_422(client: Client, method: str, path: str) -> None:
    for n in (MAX_ROW_ID + 1, 10**20):
        got = client.request(method, path.format(n=n), json={"note": "x"})
        _problem(got, 422)
    got = client.request(method, path.format(n=MAX_ROW_ID), json={"note": "x"})
    assert got.status_code == 404, got.text

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


def test_a_body_of_many_values_is_refused_before_it_is_parsed(client: Client) -> None:
    """A 16 MB body of empty lists came near 1 GB parsed under the general value limit; a
    request body holds at most MAX_BODY_VALUES."""
    from soupwatch.server.bodies import MAX_BODY_VALUES

    body = b'{"name": [' + b"[]," * MAX_BODY_VALUES + b"[]]}"
    got = client.post(
        "/api/v1/products", content=body, headers={"content-type": "application/json"}
    )
    assert "max_json_values=1000000" in str(_problem(got, 422)["detail"])


@pytest.mark.parametrize("raw", ["1" * 5000, "\u00b2", "99999999999"])
def test_numbers_in_forms_and_queries_are_read_within_bounds(client: Client, raw: str) -> None:
    """A version of 5,000 digits (Python will not read over 4,300), a superscript two
    (str.isdigit says yes, int says no) and a number past the id range: the form's page
    again, or a 4xx, never a 500."""
    from soupwatch.server.params import whole_number

    assert whole_number(raw) is None
    assert whole_number("42") == 42
    form = {"version": raw, "reason": "x"}
    got = client.post("/approvals/1/approve", data=form)
    assert 400 <= got.status_code < 500, got.text[:200]
    got = client.get(f"/products/p/releases/1.0?page={raw}")
    assert 400 <= got.status_code < 500, got.text[:200]


def test_a_next_path_too_long_for_a_redirect_goes_home() -> None:
    from soupwatch.server.routes.auth import MAX_NEXT, safe_next

    assert safe_next("/products/x") == "/products/x"
    assert safe_next("/" + "a" * MAX_NEXT) == "/"
    assert safe_next("//evil.example/") == "/"


@pytest.mark.parametrize(("declared", "said"), [("9" * 5000, "5,000 digits"), ("70000", "70,000")])
def test_a_declared_length_over_the_limit_is_413_without_reading_it(
    declared: str, said: str
) -> None:
    """A content-length of 5,000 digits is over any limit: refused by its length, never
    turned into a number (Python refuses int-to-text past 4,300 digits: that was a 500)."""
    import asyncio

    from fastapi import HTTPException
    from starlette.requests import Request

    from soupwatch.server.bodies import read_limited

    async def receive() -> dict[str, object]:
        raise AssertionError("the body was read")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-length", declared.encode())],
    }
    with pytest.raises(HTTPException) as got:
        asyncio.run(read_limited(Request(scope, receive), 65_536, "the SBOM"))
    assert got.value.status_code == 413
    assert str(got.value.detail).startswith(f"the SBOM is {said}")
    assert "65,536-byte limit" in str(got.value.detail)

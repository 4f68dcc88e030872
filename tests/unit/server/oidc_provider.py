"""A small OpenID Connect provider on 127.0.0.1 for tests: discovery, authorize (approves at
once, as the configured user), token (checks the client secret and PKCE, signs an RS256 ID
token), JWKS. ``tamper`` makes it misbehave in one named way."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "soupwatch", "client-secret-for-tests"
_OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})


class Provider:
    """The provider's state; ``base`` is its issuer URL once started."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.username = "alice"
        self.tamper: str | None = None
        self.codes: dict[str, dict[str, str]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, request: dict[str, str]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.base,
            "aud": CLIENT_ID,
            "sub": f"sub-{self.username}",
            "preferred_username": self.username,
            "nonce": "another-nonce" if self.tamper == "nonce" else request["nonce"],
            "iat": now,
            "exp": now - 60 if self.tamper == "expired" else now + 300,
        }
        if self.tamper == "key":  # same kid, another key: the signature must not verify
            return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, _OTHER_KEY)
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                return

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    b = provider.base
                    self._json(
                        200,
                        {
                            "issuer": b,
                            "authorization_endpoint": f"{b}/authorize",
                            "token_endpoint": f"{b}/token",
                            "jwks_uri": f"{b}/jwks",
                        },
                    )
                elif url.path == "/jwks":
                    self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    back = {"code": code, "state": query["state"]}
                    self.send_response(302)
                    self.send_header("location", f"{query['redirect_uri']}?{urlencode(back)}")
                    self.end_headers()
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode()).items()}
                asked = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "").encode()
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if (
                    asked is None
                    or form.get("client_secret") != CLIENT_SECRET
                    or challenge.rstrip(b"=").decode() != asked["code_challenge"]
                    or form.get("redirect_uri") != asked["redirect_uri"]
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(
                    200,
                    {
                        "access_token": "at",
                        "token_type": "Bearer",
                        "id_token": provider.id_token(asked),
                    },
                )

        return Handler

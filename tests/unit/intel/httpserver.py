"""A local HTTP server on 127.0.0.1 serving the mirror in the feeds' public URL layouts.

Routes (``base`` + path):

* ``/nvd/rest/json/cves/2.0`` — NVD API 2.0 pages of 10 built from the mirror's 29 records
* ``/nvd1/nvdcve-1.1-<name>.json.gz`` and ``.meta`` — legacy files (``2016`` → the subset)
* ``/osv/<Ecosystem>/all.zip``, ``/kev/known_exploited_vulnerabilities.json``
* faults: ``/bad/truncated.json.gz``, ``/bad/corrupt.json``, ``/flaky/…`` (429 with
  Retry-After twice, then the real file), ``/down/…`` (503 forever), ``/endless/…`` (a body
  without Content-Length that never ends: zeros until the client hangs up, at most 256 MiB)
* ``extra``: bodies a test serves at a path of its choice, with headers of its choice
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class MirrorServer:
    """Serves ``feeds`` over HTTP; ``hits`` counts requests per path, ``headers`` keeps them,
    ``sent`` counts the bytes an ``/endless/`` body handed to the socket before the client hung
    up."""

    def __init__(self, feeds: Path) -> None:
        self.feeds = feeds
        self.hits: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.sent: Counter[str] = Counter()
        self.extra: dict[str, tuple[bytes, dict[str, str]]] = {}
        page = json.loads(
            gzip.decompress((feeds / "nvd/nvdcve-2.0-subset-0001.json.gz").read_bytes())
        )
        self.nvd_records = page["vulnerabilities"]
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> MirrorServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def nvd_page(self, query: dict[str, list[str]]) -> bytes:
        start = int(query.get("startIndex", ["0"])[0])
        items = self.nvd_records[start : start + 10]
        return json.dumps(
            {
                "resultsPerPage": len(items),
                "startIndex": start,
                "totalResults": len(self.nvd_records),
                "format": "NVD_CVE",
                "version": "2.0",
                "timestamp": "2026-11-28T13:42:19.000",
                "vulnerabilities": items,
            }
        ).encode()

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, headers) for a request."""
        feeds = self.feeds
        if path in self.extra:
            body, headers = self.extra[path]
            return 200, body, headers
        if path.startswith("/flaky/"):
            if self.hits[path] <= 2:
                return 429, b"slow down", {"Retry-After": "7"}
            path = path[len("/flaky") :]
        if path.startswith("/down/"):
            return 503, b"unavailable", {}
        if path == "/nvd/rest/json/cves/2.0":
            return 200, self.nvd_page(query), {}
        if path.startswith("/nvd1/nvdcve-1.1-"):
            name = path.rsplit("/", 1)[1].replace("-2016.", "-2016-subset.")
            file = feeds / "nvd-1.1" / name
            return (200, file.read_bytes(), {}) if file.is_file() else (404, b"", {})
        if path == "/bad/truncated.json.gz":
            raw = (feeds / "kev/known_exploited_vulnerabilities.json").read_bytes()
            return 200, gzip.compress(raw)[:5000], {}
        if path == "/bad/corrupt.json":
            return 200, b'{"vulnerabilities": [{"cveID": "CVE-2014-0160", ', {}
        for prefix, folder in (("/osv/", "osv"), ("/kev/", "kev")):
            if path.startswith(prefix):
                file = feeds / folder / unquote(path[len(prefix) :]).replace(":", "/")
                if file.is_file():
                    return 200, file.read_bytes(), {}
        return 404, b"not found", {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                server.hits[url.path] += 1
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if url.path.startswith("/endless/"):
                    self.endless(url.path)
                    return
                status, body, headers = server.route(url.path, parse_qs(url.query))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def endless(self, path: str) -> None:
                self.send_response(200)
                self.end_headers()  # no Content-Length: the body ends when the connection does
                chunk = bytes(64 * 1024)
                try:
                    for _ in range(4096):
                        # counted before it is written: the client may read a chunk and hang
                        # up before this thread runs again, so counting after could fall short
                        server.sent[path] += len(chunk)
                        self.wfile.write(chunk)
                except OSError:  # the client hung up, as it should
                    return

            def log_message(self, *_: object) -> None:
                return

        return Handler

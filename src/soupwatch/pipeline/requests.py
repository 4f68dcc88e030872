"""A request's JSON body read within the named input limits (the server's route bodies).

The server is an edge: it reads outside input through the pipeline, like the CLI. A request
body is held to the general limits (``config.InputLimits``) and to at most ``max_values``
values; a string holding a character no store or export can carry is refused, naming its
field, where a file import cleans it: the sender of a request can send it again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from soupwatch.config import input_limits
from soupwatch.errors import SoupwatchError
from soupwatch.untrusted import loads_json


def _refused(message: str, where: str | None) -> SoupwatchError:
    return SoupwatchError(f"request body{f' ({where})' if where else ''}: {message}")


def read_request_json(raw: bytes, *, max_values: int) -> Any:
    """The parsed body; SoupwatchError (one line naming the limit or the field) when it is
    outside the limits."""
    limits = input_limits()
    limits = replace(limits, max_json_values=min(limits.max_json_values, max_values))
    return loads_json(raw, limits, _refused, refuse_unstorable=True)[0]

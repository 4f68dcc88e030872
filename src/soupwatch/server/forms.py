"""The dashboard's form bodies, parsed on the event loop as a dependency so that the routes
that use them stay plain ``def`` and do their database work in the thread pool (a synchronous
query in an ``async def`` route would hold every other request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from soupwatch.server.app import options_of


async def _form(request: Request) -> FormData:
    # Starlette parses the body once and keeps it; the CSRF check may have parsed it already
    return await request.form(max_part_size=options_of(request).max_upload_bytes)


Form = Annotated[FormData, Depends(_form)]
"""A route parameter holding the request's parsed form (urlencoded or multipart; a part is
at most the server's upload limit)."""

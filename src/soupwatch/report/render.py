"""Rendering: Jinja2 templates to self-contained HTML, WeasyPrint HTML to PDF."""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from soupwatch.errors import ReportError

TEMPLATES = Path(__file__).parent / "templates"


def cell(value: object) -> str:
    """A table cell as text: ``—`` for empty, ``yes``/``no`` for booleans, numbers as given."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 0.001 or value == 0 else f"{value:.2e}"
    return str(value)


def css_string(value: object) -> Markup:
    """Text made safe inside a double-quoted CSS string (the running header and footer)."""
    text = " ".join(str(value).split())
    return Markup(text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c "))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment over report/templates, autoescaping HTML, strict on undefined."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["cell"] = cell
    env.filters["css_string"] = css_string
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    """Render one template with the context."""
    return environment().get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    """Print the HTML to PDF with WeasyPrint; no network (every resource is inline)."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            # WeasyPrint warns at import when the system lacks libharfbuzz-subset; it then
            # subsets fonts with fontTools, which works. Not our warning to turn into an error.
            warnings.simplefilter("ignore", DeprecationWarning)
            from weasyprint import HTML
    except ImportError as err:  # pragma: no cover - weasyprint is a dependency
        raise ReportError(f"cannot print PDF: WeasyPrint is not importable ({err})") from err

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
        raise ReportError(f"the report refers to an external resource {url!r}")

    # full_fonts: embed the fonts whole; without libharfbuzz-subset, fontTools subsetting
    # took about a third of the print time, for a PDF ten times smaller (~1 MB vs 100 KB).
    pdf = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=no_fetch).write_pdf(
        full_fonts=True
    )
    if pdf is None:  # pragma: no cover - write_pdf without target returns bytes
        raise ReportError("WeasyPrint returned no PDF")
    return bytes(pdf)

"""Rendering: Jinja2 templates to self-contained HTML, WeasyPrint HTML to PDF."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from soupwatch.errors import MissingExtra, ReportError

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


def clip_list(value: object, limit: int, where: str) -> str:
    """A ``, ``-separated list cut to its first ``limit`` items, saying how many more and where.

    One component can carry thousands of CVEs (a Linux kernel: ~7,000); listing them all in
    one PDF cell took 150 pages. The CSV and JSON keep the whole list.
    """
    if not isinstance(value, str):
        return cell(value)
    items = value.split(", ")
    if len(items) <= limit:
        return cell(value)
    rest = len(items) - limit
    return f"{', '.join(items[:limit])}, … (+{rest:,} more: all in {where})"


def brief(value: object, limit: int, where: str) -> str:
    """Long prose cut after its first sentence, saying where the whole text is.

    The eSTAR justification for an unknown support level is a paragraph repeated on many
    components; printed whole in a table cell it pushed every row onto a page of its own.
    """
    text = cell(value)
    if len(text) <= limit:
        return text
    head, dot, _ = text.partition(". ")
    if not dot or len(head) > limit:
        head = text[:limit].rsplit(" ", 1)[0]
    return f"{head}. (Full text in {where}.)"


LINE_CHARS = 165
"""About how many 8 pt DejaVu Sans characters fit across an A4 landscape page (273 mm)."""


def column_widths(columns: Sequence[Any], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Column widths in percent for a fixed-layout table, from the text the cells will show.

    WeasyPrint's automatic table layout measures every cell (min- and max-content width)
    before laying it out: on 300-row tables that was a third of the print time. For the
    per-finding tables we size the columns here instead, the way the automatic layout would:
    each gets room for its header's and cells' longest word (identifiers, dates and versions
    never break), and the space left goes to the columns of longer text, by mean length.
    """
    least: list[float] = []
    want: list[float] = []
    for c in columns:
        texts = [cell(r.get(c.key)) for r in rows] or ["—"]
        # headers are bold: ~30% wider than body text
        header_word = max((len(w) for w in str(c.header).split()), default=1) * 1.15
        longest_word = max(max((len(w) for w in t.split()), default=1) for t in texts)
        # words are digits, capitals and bold headers: ~15% wider than average text
        low = max(header_word, min(longest_word, 22), 3) * 1.15 + 1.5  # + cell padding
        least.append(low)
        # a cell shows at most a few hundred characters (clipped lists, brief prose)
        shown = [min(len(t), 360) for t in texts]
        want.append(max(low, sum(shown) / len(texts) + 1.5))
    spare = LINE_CHARS - sum(least)
    extra = [w - lo for w, lo in zip(want, least, strict=True)]
    if spare <= 0 or sum(extra) <= 0:
        widths = want if spare > 0 else least
    else:
        share = min(1.0, spare / sum(extra))
        widths = [lo + e * share for lo, e in zip(least, extra, strict=True)]
    total = sum(widths)
    return [f"{100 * w / total:.2f}%" for w in widths]


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
    env.filters["clip_list"] = clip_list
    env.filters["brief"] = brief
    env.globals["column_widths"] = column_widths
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
    except ImportError as err:
        raise MissingExtra("PDF output", "pdf") from err

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
        raise ReportError(f"the report refers to an external resource {url!r}")

    # Fonts are subset (WeasyPrint's default). With libharfbuzz-subset installed this is native
    # and faster than embedding them whole: 159-page report, write 3.6 s vs 4.4 s, 0.75 MB vs
    # 2.3 MB. (Without it, fontTools subsetting took a third of the print time.)
    pdf = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=no_fetch).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf without target returns bytes
        raise ReportError("WeasyPrint returned no PDF")
    return bytes(pdf)

"""Summary plots as inline SVG (matplotlib, Agg backend): deterministic, no external fonts.

Each function returns an ``<svg>`` element as text, ready to embed in the HTML report; the
PDF renderer draws the same SVG, so the two never disagree. matplotlib comes with the
``[pdf]`` extra; without it, importing this module raises :class:`MissingExtra`.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import date

from soupwatch.errors import MissingExtra

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
except ImportError as err:
    raise MissingExtra("Report plots", "pdf") from err

from soupwatch.model.assessment import Assessment
from soupwatch.model.vulnerability import Severity

BANDS = ("critical", "high", "medium", "low", "none", "unknown")
COLOURS = {
    "critical": "#7f0000",
    "high": "#d7301f",
    "medium": "#fc8d59",
    "low": "#fdcc8a",
    "none": "#bdbdbd",
    "unknown": "#e0e0e0",
}
AGE_BUCKETS = ("< 30 d", "30–89 d", "90–179 d", "≥ 180 d", "unknown")
HORIZON_BUCKETS = ("ended", "< 1 y", "1–3 y", "> 3 y", "unknown")

plt.rcParams.update(
    {
        "svg.hashsalt": "soupwatch",
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": 9,
    }
)


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _bars(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    colours: Sequence[str] | None = None,
) -> str:
    fig, ax = plt.subplots(figsize=(4.2, 2.4))
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(labels))]
        colour = colours if colours is not None and len(series) == 1 else None
        ax.bar(
            xs, values, width=width, label=name, color=colour, edgecolor="#333333", linewidth=0.5
        )
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))], labels)
    ax.set_title(title)
    ax.set_ylabel("count")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(frameon=False)
    return _svg(fig)


def severity_plot(a: Assessment) -> str:
    """Findings by CVSS base severity and by in-context risk, side by side."""
    base = Counter(Severity.from_score(f.base_score).value for f in a.findings)
    risk = Counter(f.risk.value for f in a.findings)
    return _bars(
        "Findings: base severity vs in-context risk",
        BANDS,
        {
            "CVSS base severity": [base[b] for b in BANDS],
            "in-context risk": [risk[b] for b in BANDS],
        },
    )


def age_bucket(days: int | None) -> str:
    """The open-findings age bucket of a number of days."""
    if days is None:
        return AGE_BUCKETS[4]
    if days < 30:
        return AGE_BUCKETS[0]
    if days < 90:
        return AGE_BUCKETS[1]
    if days < 180:
        return AGE_BUCKETS[2]
    return AGE_BUCKETS[3]


def age_plot(a: Assessment) -> str:
    """Open findings by age since first seen."""
    counts: Counter[str] = Counter()
    for f in a.findings:
        if f.is_open:
            days = (a.assessed_at - f.first_seen).days if f.first_seen else None
            counts[age_bucket(days)] += 1
    return _bars(
        "Open findings by age",
        AGE_BUCKETS,
        {"open": [counts[b] for b in AGE_BUCKETS]},
        ["#2b8cbe"] * len(AGE_BUCKETS),
    )


def horizon_bucket(eos: date | None, today: date) -> str:
    """The support-horizon bucket of an end-of-support date."""
    if eos is None:
        return HORIZON_BUCKETS[4]
    days = (eos - today).days
    if days < 0:
        return HORIZON_BUCKETS[0]
    if days < 365:
        return HORIZON_BUCKETS[1]
    if days <= 3 * 365:
        return HORIZON_BUCKETS[2]
    return HORIZON_BUCKETS[3]


def horizon_plot(a: Assessment) -> str:
    """Components by time left until end of support."""
    today = a.assessed_at.date()
    counts = Counter(horizon_bucket(ac.support.end_of_support, today) for ac in a.components)
    colours = ["#7f0000", "#fc8d59", "#fdcc8a", "#31a354", "#bdbdbd"]
    return _bars(
        "Components by support horizon",
        HORIZON_BUCKETS,
        {"components": [counts[b] for b in HORIZON_BUCKETS]},
        colours,
    )


def all_plots(a: Assessment) -> dict[str, str]:
    """Every plot of the FDA report, keyed by name."""
    return {"severity": severity_plot(a), "age": age_plot(a), "horizon": horizon_plot(a)}

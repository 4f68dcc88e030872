"""Trend charts as inline SVG, drawn on the server (no JavaScript, no chart library).

:func:`trend_chart` turns daily totals into the geometry a template draws: one polyline per
series, the axis labels, and a text alternative (the table under the chart carries the same
numbers for screen readers). Colours are presentation attributes, not styles, so the
dashboard's Content-Security-Policy (no inline style) holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from soupwatch.model.trend import TrendPoint

WIDTH, HEIGHT = 640, 180
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 28
SERIES = (
    ("open", "#1f3a5f"),
    ("uncontrolled", "#b00020"),
    ("overdue", "#8a4b00"),
)
"""(name, colour) of each line; each colour has at least 4.5:1 contrast on white."""


@dataclass(frozen=True, slots=True)
class Line:
    """One series: its name, colour, SVG ``points`` and last value."""

    name: str
    colour: str
    points: str
    last: int


@dataclass(frozen=True, slots=True)
class Chart:
    """What a template needs to draw one trend chart."""

    width: int
    height: int
    lines: tuple[Line, ...]
    y_ticks: tuple[tuple[float, int], ...]
    """(y position, value) of the horizontal grid lines."""
    x_labels: tuple[tuple[float, str], ...]
    """(x position, day) of the first and last day."""
    summary: str
    """A one-sentence text alternative."""


def trend_chart(points: list[TrendPoint]) -> Chart | None:
    """The chart of ``points`` (oldest first); None without any point."""
    if not points:
        return None
    top = max(max(p.open, p.uncontrolled, p.overdue) for p in points) or 1
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(PAD_LEFT + i * step, 1)

    def y(value: int) -> float:
        return round(PAD_TOP + inner_h * (1 - value / top), 1)

    lines = tuple(
        Line(
            name,
            colour,
            " ".join(f"{x(i)},{y(getattr(p, name))}" for i, p in enumerate(points)),
            getattr(points[-1], name),
        )
        for name, colour in SERIES
    )
    ticks = tuple((y(v), v) for v in sorted({0, top // 2, top}))
    labels: tuple[tuple[float, str], ...] = ((x(0), points[0].day.isoformat()),)
    if len(points) > 1:
        labels += ((x(len(points) - 1), points[-1].day.isoformat()),)
    last = points[-1]
    summary = (
        f"{len(points)} daily snapshot(s) from {points[0].day} to {last.day}; on the last day "
        f"{last.open} open, {last.uncontrolled} uncontrolled, {last.overdue} overdue."
    )
    return Chart(WIDTH, HEIGHT, lines, ticks, labels, summary)

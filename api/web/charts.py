"""Bar charts of monthly percentages, drawn on the server as inline SVG.

No script and no inline style (the CSP allows neither): shapes carry classes styled in site.css.
Each chart is readable without colour: every bar has its percentage written above it, months with
nothing to measure are drawn as a short hatched mark labelled "none", and the page puts a table of
the same numbers beside the chart. Screen readers get the title and a one-line summary; the table
carries the detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 22, 40
PLOT_H = HEIGHT - TOP - BOTTOM
STUB = 6  # percent: the height of an empty month's hatched mark


def month_label(month: str) -> str:
    """'2026-03' -> 'Mar 26'."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1).strftime("%b %y")


def _y(percent: float) -> float:
    return TOP + PLOT_H * (1 - percent / 100)


def _axis() -> list[str]:
    parts = []
    for level in (0, 50, 100):
        y = _y(level)
        parts.append(
            f'<line class="app-chart__grid" x1="{LEFT}" y1="{y:.1f}" '
            f'x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
            f'<text class="app-chart__axis" x="{LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{level}%</text>'
        )
    return parts


def _bar(i: int, slot: float, month: dict[str, Any], pattern: str) -> str:
    x = LEFT + i * slot + slot * 0.15
    width = slot * 0.7
    middle = x + width / 2
    label = (
        f'<text class="app-chart__axis" x="{middle:.1f}" y="{HEIGHT - BOTTOM + 16}" '
        f'text-anchor="middle">{escape(month_label(month["month"]))}</text>'
    )
    percent = month.get("percent")
    if not month.get("denominator") or percent is None:
        stub = _y(STUB)  # a short hatched stub, so an empty month is not a 0% bar
        return label + (
            f'<rect class="app-chart__empty" fill="url(#{pattern})" x="{x:.1f}" '
            f'y="{stub:.1f}" width="{width:.1f}" height="{TOP + PLOT_H - stub:.1f}"/>'
            f'<text class="app-chart__value" x="{middle:.1f}" y="{stub - 5:.1f}" '
            f'text-anchor="middle">none</text>'
        )
    top = _y(float(percent))
    return label + (
        f'<rect class="app-chart__bar" x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
        f'height="{TOP + PLOT_H - top:.1f}"/>'
        f'<text class="app-chart__value" x="{middle:.1f}" y="{top - 5:.1f}" '
        f'text-anchor="middle">{round(float(percent))}%</text>'
    )


def summary(months: Sequence[dict[str, Any]]) -> str:
    measured = [m for m in months if m.get("denominator")]
    if not measured:
        return "No cases to measure in these months."
    latest = measured[-1]
    return (
        f"Latest month with cases, {month_label(latest['month'])}: {latest['percent']}% "
        f"({latest['numerator']} of {latest['denominator']})."
    )


def bar_chart(chart_id: str, title: str, months: Sequence[dict[str, Any]]) -> Markup:
    """One chart: a bar per month, 0-100%."""
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(months))
    pattern = f"{chart_id}-none"
    bars = [_bar(i, slot, m, pattern) for i, m in enumerate(months)]
    svg = (
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary(months))} The table gives every month.</desc>'
        f'<defs><pattern id="{pattern}" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line class="app-chart__hatch" x1="0" y1="0" x2="0" '
        f'y2="8"/></pattern></defs>'
        f"{''.join(_axis())}{''.join(bars)}</svg>"
    )
    return Markup(svg)

"""The measures as a plain server-rendered page: one table per group of measures, every number
with its numerator and denominator. No script; every value escaped."""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = (
    "body{font-family:Arial,sans-serif;margin:2em;color:#0b0c0c}"
    "table{border-collapse:collapse;margin-bottom:2em}"
    "th,td{border-bottom:1px solid #b1b4b6;padding:.4em .8em;text-align:left}"
    "td.n{text-align:right}caption{text-align:left;font-weight:bold;font-size:1.2em}"
    ".src{color:#505a5f;font-size:.85em}"
)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value}%"


def _row(label: str, source: str, rate: dict[str, Any]) -> str:
    return (
        f"<tr><td>{escape(label)}<div class=src>{escape(source)}</div></td>"
        f"<td class=n>{rate['numerator']}</td><td class=n>{rate['denominator']}</td>"
        f"<td class=n>{_pct(rate.get('percent'))}</td></tr>"
    )


def _table(caption: str, rows: list[str]) -> str:
    head = "<tr><th>Measure</th><th>Numerator</th><th>Denominator</th><th>%</th></tr>"
    return f"<table><caption>{escape(caption)}</caption>{head}{''.join(rows)}</table>"


def _rates(label: str, source: str, result: dict[str, Any]) -> list[str]:
    if "numerator" in result:
        rows = [_row(label, source, result)]
        for group, sub in result.get("by", {}).items():
            rows.append(_row(f"{label}: {group}", "", sub))
        return rows
    rows = []
    for name, sub in result.items():
        if isinstance(sub, dict):
            rows.extend(_rates(f"{label}: {name.replace('_', ' ')}", source, sub))
    return rows


def measures_page(report: dict[str, Any]) -> str:
    period = report["period"]
    timely = [r for m in report["timeliness"] for r in _rates(m["label"], m["source"], m)]
    local = [r for m in report["local"] for r in _rates(m["label"], m["source"], m["result"])]
    weeks = report["weeks_to_issue"]
    title = f"Measures {period['from']} to {period['to']}"
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>Judged on {escape(period['as_of'])}. Plans issued: {weeks['plans']}; average "
        f"{weeks['average_weeks']} weeks, median {weeks['median_weeks']} weeks to issue.</p>"
        f"{_table('Timeliness', timely)}{_table('Local measures (seeds)', local)}"
        "</body></html>"
    )

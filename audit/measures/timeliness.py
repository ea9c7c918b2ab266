"""Timeliness measures: the SEN2 definitions of STATUTORY.md §5, and the plan's-life timers.

SEN2 measures count acts done in the period (plans issued, decisions notified); the others count
the items falling due in the period, each judged once (done by its due date or not), so an
overdue item is never hidden by simply not being done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean, median
from typing import Any

from audit.measures import facts as k
from audit.measures.facts import Fact
from audit.measures.rates import Period, Rate, by_act, by_due, grouped, timeliness
from ehcp_engine.domain.calendar import StatutoryCalendar

SEN2 = "STATUTORY.md §5: DfE SEN2 definition"


@dataclass(frozen=True)
class Spec:
    id: str
    label: str
    source: str
    counts: str  # what puts an item in the period
    compute: Callable[[Sequence[Fact], Period], dict[str, Any]]


def _act(kind: str, excl: bool = False) -> Callable[[Sequence[Fact], Period], dict[str, Any]]:
    return lambda facts, period: by_act(facts, kind, period, excl_exceptions=excl).as_dict()


def _due(
    kind: str, group: Callable[[Fact], str] | None = None, excl: bool = False
) -> Callable[[Sequence[Fact], Period], dict[str, Any]]:
    return lambda facts, period: grouped(
        by_due(facts, kind, period, group=group, excl_exceptions=excl)
    )


TRANSFER_YEARS = {-1: "Nursery", 13: "Year 13/14"}


def transfer_label(fact: Fact) -> str:
    """Phase transfers by the year the child leaves: Year 2, 6, 11 ...; post-16 moves as 13/14."""
    return transfer_label_of(fact.attrs.get("from_year", 0), fact.attrs.get("transfer"))


def transfer_label_of(from_year: Any, transfer: Any) -> str:
    year = int(from_year)
    return f"{TRANSFER_YEARS.get(year, f'Year {year}')} ({transfer})"


def _contributor(fact: Fact) -> str:
    return str(fact.attrs.get("contributor") or "(not named)")


def _order_step(fact: Fact) -> str:
    return str(fact.attrs.get("timer"))


def _order_verdict(steps: Sequence[Fact], as_of: date) -> bool | None:
    """An order is complied with in time only when every step it started was done by its own
    due date. A step stopped before it fell due does not count; a step still running and not yet
    due leaves the order pending."""
    verdicts = [timeliness(s, as_of) for s in steps]
    pending = any(
        v is None and s.met_on is None and s.ended_on is None
        for s, v in zip(steps, verdicts, strict=True)
    )
    if False in verdicts:
        return False
    return None if pending or True not in verdicts else True


def whole_orders(facts: Sequence[Fact], period: Period) -> dict[str, Any]:
    """One item per order or concession (the event that made it: the step keys end `@seq`),
    judged when its last step falls due, grouped by the kind of order."""
    orders: dict[tuple[int, str], list[Fact]] = defaultdict(list)
    for f in facts:
        if f.kind == k.ORDER_STEP:
            orders[(f.case_id, f.key.rsplit("@", 1)[-1])].append(f)
    rates: dict[str, Rate] = defaultdict(Rate)
    rates["all"] = Rate()
    for (case_id, _seq), steps in sorted(orders.items()):
        last_due = max((s.due_on for s in steps if s.due_on is not None), default=None)
        if last_due not in period:
            continue
        verdict = _order_verdict(steps, period.as_of)
        kind = (
            "concession"
            if steps[0].attrs.get("conceded")
            else f"order: {steps[0].attrs.get('order')}"
        )
        for key in ("all", kind):
            if verdict is None:
                rates[key].excluded_ids.append(case_id)
            else:
                rates[key].count(case_id, verdict)
    return grouped(rates)


SPECS: tuple[Spec, ...] = (
    Spec(
        "final_plan_20w_excl",
        "New EHC plans issued within 20 weeks, excluding exceptions",
        f"{SEN2}; Reg 13(2)-(3); exceptions Reg 10(4) (Week20 = 1 removed)",
        "plans issued in the period",
        _act(k.FINAL_PLAN, excl=True),
    ),
    Spec(
        "final_plan_20w_incl",
        "New EHC plans issued within 20 weeks, including exceptions",
        f"{SEN2}; Reg 13(2)-(3)",
        "plans issued in the period",
        _act(k.FINAL_PLAN),
    ),
    Spec(
        "assessment_decision_6w",
        "Decisions whether to assess within 6 weeks",
        f"{SEN2}; Reg 5(1)",
        "decisions notified in the period",
        _act(k.ASSESSMENT_DECISION),
    ),
    Spec(
        "no_plan_16w",
        "Decisions not to issue a plan within 16 weeks",
        f"{SEN2}; Reg 10(1)",
        "decisions not to issue notified in the period",
        _act(k.NO_PLAN),
    ),
    Spec(
        "review_decision_4w",
        "Review decisions within 4 weeks of the meeting",
        f"{SEN2}; Reg 20(10)",
        "review decisions notified in the period",
        _act(k.REVIEW),
    ),
    Spec(
        "annual_review_12m",
        "Annual reviews within 12 months",
        "STATUTORY.md §3 annual_review: Act s.44(1); Regs 18-20 (after a transfer in, Reg 15(5))",
        "reviews falling due in the period",
        _due(k.ANNUAL_REVIEW),
    ),
    Spec(
        "amended_plan_8w",
        "Amended plans within 8 weeks of the amendment notice",
        "STATUTORY.md §3 amended_plan: Reg 22(3)-(4)",
        "amended plans falling due in the period",
        _due(k.AMENDED_PLAN),
    ),
    Spec(
        "phase_transfer",
        "Phase transfers: amended plan naming the next setting by the deadline, by transfer",
        "STATUTORY.md §3 phase_transfer and post16_transfer: Reg 18(1)-(2); "
        "seeds/000 Shropshire outcomes framework (Y2, Y6, Y11, Y14 timeliness)",
        "transfer deadlines falling in the period",
        _due(k.PHASE_TRANSFER, group=transfer_label),
    ),
    Spec(
        "advice_6w",
        "Statutory advice within 6 weeks, by contributing agency (including exceptions)",
        "STATUTORY.md §3 advice: Reg 8; seeds/003 Stockton-on-Tees WSOA (targets 75%, then 100%)",
        "advice falling due in the period",
        _due(k.ADVICE, group=_contributor),
    ),
    Spec(
        "advice_6w_excl",
        "Statutory advice within 6 weeks, by contributing agency, excluding exceptions",
        "STATUTORY.md §3 advice: Reg 8; exceptions Reg 8(2)",
        "advice falling due in the period",
        _due(k.ADVICE, group=_contributor, excl=True),
    ),
    Spec(
        "tribunal_orders",
        "Tribunal orders and concessions complied with in time, by step",
        "STATUTORY.md §3 order_* and unopposed_*: Regs 44-45",
        "order steps falling due in the period",
        _due(k.ORDER_STEP, group=_order_step),
    ),
    Spec(
        "tribunal_orders_whole",
        "Tribunal orders and concessions complied with in full and in time, per order",
        "STATUTORY.md §3 order_* and unopposed_*: Regs 44-45 (every step by its due date)",
        "orders whose last step falls due in the period",
        whole_orders,
    ),
)
TREND = ("final_plan_20w_excl", "final_plan_20w_incl", "assessment_decision_6w", "no_plan_16w")
TREND_MORE = ("review_decision_4w", "annual_review_12m", "amended_plan_8w")


def timeliness_measures(facts: Sequence[Fact], period: Period) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "label": s.label, "source": s.source, "counts": s.counts}
        | s.compute(facts, period)
        for s in SPECS
    ]


def weeks_to_issue(facts: Sequence[Fact], period: Period, edges: Sequence[int]) -> dict[str, Any]:
    """Average and distribution of weeks from request to final plan, plans issued in the
    period. Buckets are `(previous edge, edge]` in whole days / 7."""
    weeks = sorted(
        (f.met_on - f.start_on).days / 7
        for f in facts
        if f.kind == k.FINAL_PLAN and f.met_on is not None and f.start_on is not None
        if f.met_on in period
    )
    buckets: dict[str, int] = {}
    low = 0
    for edge in edges:
        buckets[f"{low}-{edge}"] = sum(1 for w in weeks if low < w <= edge or (low == 0 == w))
        low = edge
    buckets[f"over {low}"] = sum(1 for w in weeks if w > low)
    return {
        "plans": len(weeks),
        "average_weeks": round(mean(weeks), 1) if weeks else None,
        "median_weeks": round(median(weeks), 1) if weeks else None,
        "distribution": buckets,
    }


def months(period: Period) -> list[Period]:
    """The calendar months the period touches, each clipped to it."""
    found: list[Period] = []
    first = period.start.replace(day=1)
    while first <= period.end:
        following = (first + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        found.append(Period(max(first, period.start), min(last, period.end), period.as_of))
        first = following
    return found


def _by_month(facts: Sequence[Fact], period: Period) -> dict[tuple[int, int], list[Fact]]:
    """Each month's facts: those done or falling due in it. Every trend measure counts an item by
    its act date (met_on) or its due date, so a month's figures need only these (and a pass over
    all the facts per month and measure was most of a large authority's dashboard time)."""
    found: dict[tuple[int, int], list[Fact]] = defaultdict(list)
    for f in facts:
        months_of = {
            (d.year, d.month) for d in (f.met_on, f.due_on) if d is not None and d in period
        }
        for month in months_of:
            found[month].append(f)
    return found


def monthly_trend(facts: Sequence[Fact], period: Period) -> list[dict[str, Any]]:
    """The headline measures month by month (numerator, denominator, percentage)."""
    wanted = [s for s in SPECS if s.id in (*TREND, *TREND_MORE)]
    by_month = _by_month(facts, period)
    series = []
    for month in months(period):
        row: dict[str, Any] = {"month": month.start.strftime("%Y-%m")}
        in_month = by_month.get((month.start.year, month.start.month), [])
        for spec in wanted:
            result = spec.compute(in_month, month)
            row[spec.id] = {key: result[key] for key in ("numerator", "denominator", "percent")}
        series.append(row)
    return series


def _months_overdue(due: date, as_of: date, cal: StatutoryCalendar) -> int:
    """The largest n such that `as_of` is after the day n months past `due` (overdue by more
    than n months)."""
    n = 0
    while cal.add_months(due, n + 1) < as_of:
        n += 1
    return n


def overdue_reviews(
    facts: Sequence[Fact],
    as_of: date,
    thresholds: Sequence[int],
    references: dict[int, str | None],
    cal: StatutoryCalendar,
) -> dict[str, Any]:
    """Annual reviews not done by `as_of`, and those overdue by more than each threshold
    (months), listed by case."""
    rows: list[dict[str, Any]] = []
    for f in facts:
        running = (f.met_on is None or f.met_on > as_of) and (
            f.ended_on is None or f.ended_on > as_of
        )
        if f.kind != k.ANNUAL_REVIEW or not running or f.due_on is None or f.due_on >= as_of:
            continue
        rows.append(
            {
                "case_id": f.case_id,
                "reference": references.get(f.case_id),
                "due_on": f.due_on.isoformat(),
                "months_overdue": _months_overdue(f.due_on, as_of, cal),
                "link": f"/cases/{f.case_id}",
            }
        )
    rows.sort(key=lambda r: (r["due_on"], r["case_id"]))
    bands = {}
    for months_ in thresholds:
        listed = [r for r in rows if r["months_overdue"] >= months_]
        bands[f"over_{months_}_months"] = {"count": len(listed), "cases": listed}
    return {"as_of": as_of.isoformat(), "overdue": len(rows), "bands": bands, "cases": rows}

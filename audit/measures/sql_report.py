"""The measures report (`report.measures_report`'s document) counted by the database.

Every measure that touches the authority's whole caseload (acts and deadlines of the period,
plans in force, reviews, advice) is a grouped query (`sql_rates`); only small sets of facts come
back to Python and go through the Python measures themselves: tribunal orders (whole orders need
each order's steps together), mediations and appeals. The outcomes-by-heading table needs each
plan's content, so the service layer counts it and passes it in. Member lists (case ids) are
returned only when asked for (`ids`): at a national authority each is a whole cohort.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from audit.measures import facts as k
from audit.measures.facts import Fact
from audit.measures.local import FAMILY, Targets, disputes, local_entries, targets_met
from audit.measures.rates import Period, grouped
from audit.measures.report import MeasureSettings, period_dict, without_ids
from audit.measures.sql_rates import (
    Base,
    Count,
    DaysBetween,
    Items,
    Row,
    Tally,
    due_verdict,
    fetch,
    flag,
    in_period,
    m,
    month_bucket,
    month_number,
    on_time,
    tally,
)
from audit.measures.timeliness import (
    SPECS,
    TREND,
    TREND_MORE,
    months,
    transfer_label_of,
    whole_orders,
)
from ehcp_engine.domain.calendar import StatutoryCalendar


def attr(name: str) -> ColumnElement[Any]:
    """An attribute of the fact as text (PostgreSQL `->>`, SQLite `JSON_EXTRACT`); NULL when
    missing or null."""
    found: ColumnElement[Any] = m.attrs[name].as_string()
    return found


@dataclass(frozen=True)
class RateDef:
    """A timeliness measure as `timeliness.SPECS` computes it: acts done in the period
    (`due=False`, judged by `Fact.on_time`) or items falling due in it (judged on `as_of`)."""

    kind: str
    due: bool
    excl: bool = False
    group: str | None = None  # the columns grouped by (GROUPS)
    label: Callable[..., str] | None = None  # those columns' values -> the group's label


def _contributor(value: Any) -> str:
    return str(value or "(not named)")


GROUPS: dict[str, Callable[[], tuple[ColumnElement[Any], ...]]] = {
    "transfer": lambda: (attr("from_year"), attr("transfer")),
    "contributor": lambda: (attr("contributor"),),
    "timer": lambda: (attr("timer"),),
}
RATES: dict[str, RateDef] = {
    "final_plan_20w_excl": RateDef(k.FINAL_PLAN, False, excl=True),
    "final_plan_20w_incl": RateDef(k.FINAL_PLAN, False),
    "assessment_decision_6w": RateDef(k.ASSESSMENT_DECISION, False),
    "no_plan_16w": RateDef(k.NO_PLAN, False),
    "review_decision_4w": RateDef(k.REVIEW, False),
    "annual_review_12m": RateDef(k.ANNUAL_REVIEW, True),
    "amended_plan_8w": RateDef(k.AMENDED_PLAN, True),
    "phase_transfer": RateDef(k.PHASE_TRANSFER, True, group="transfer", label=transfer_label_of),
    "advice_6w": RateDef(k.ADVICE, True, group="contributor", label=_contributor),
    "advice_6w_excl": RateDef(k.ADVICE, True, excl=True, group="contributor", label=_contributor),
    "tribunal_orders": RateDef(k.ORDER_STEP, True, group="timer", label=str),
}
PYTHON = {"tribunal_orders_whole"}  # counted by the Python measure over a few facts


def facts_where(session: Session, where: Sequence[ColumnElement[bool]]) -> list[Fact]:
    query = select(
        m.case_id, m.kind, m.key, m.start_on, m.due_on, m.met_on, m.ended_on, m.exception, m.attrs
    ).where(*where)
    return [Fact(*row) for row in session.execute(query.order_by(m.case_id, m.id))]


def weeks_summary(histogram: dict[int, int], edges: Sequence[int]) -> dict[str, Any]:
    """`timeliness.weeks_to_issue` from a histogram of days to issue: the same average (the
    exact mean of the same floats, as `statistics.mean`), median and buckets."""
    weeks = sorted((days / 7, n) for days, n in histogram.items())
    total = sum(n for _, n in weeks)

    def nth(i: int) -> float:
        for w, n in weeks:
            if i < n:
                return w
            i -= n
        raise IndexError(i)

    buckets: dict[str, int] = {}
    low = 0
    for edge in edges:
        buckets[f"{low}-{edge}"] = sum(n for w, n in weeks if low < w <= edge or (low == 0 == w))
        low = edge
    buckets[f"over {low}"] = sum(n for w, n in weeks if w > low)
    if not total:
        return {"plans": 0, "average_weeks": None, "median_weeks": None, "distribution": buckets}
    mean = float(sum(Fraction(w) * n for w, n in weeks) / total)
    half = total // 2
    median = nth(half) if total % 2 else (nth(half - 1) + nth(half)) / 2
    return {
        "plans": total,
        "average_weeks": round(mean, 1),
        "median_weeks": round(median, 1),
        "distribution": buckets,
    }


@dataclass
class Reader:
    """One report's queries: the period, the facts in scope, and whether members are wanted.
    Measures over the same items (with and without exceptions, the trend) share one query."""

    session: Session
    period: Period
    base: Base
    ids: bool
    _rows: dict[tuple[str, bool, str | None], list[Row]] = field(default_factory=dict)

    def rows(self, d: RateDef) -> list[Row]:
        key = (d.kind, d.due, d.group)
        if key not in self._rows:
            column = m.due_on if d.due else m.met_on
            items = Items(
                self.base.of(d.kind, in_period(column, self.period)),
                [due_verdict(self.period.as_of) if d.due else on_time()],
                GROUPS[d.group]() if d.group else (),
                None if d.group else month_bucket(column),
            )
            self._rows[key] = fetch(self.session, items, ids=self.ids)
        return self._rows[key]

    def members(self, result: dict[str, Any]) -> dict[str, Any]:
        return result if self.ids else dict(without_ids(result))

    def rate(self, d: RateDef) -> dict[str, Any]:
        return grouped(tally(self.rows(d), Count(excl=d.excl, label=d.label), self.ids))

    def timeliness(self) -> list[dict[str, Any]]:
        found = []
        for s in SPECS:
            body = self.whole_orders() if s.id in PYTHON else self.rate(RATES[s.id])
            found.append(
                {"id": s.id, "label": s.label, "source": s.source, "counts": s.counts} | body
            )
        return found

    def whole_orders(self) -> dict[str, Any]:
        """Order steps of the cases with a step due in the period (an order judged in it has its
        last step due in it): few, and grouped by order in Python."""
        due = select(m.case_id).where(*self.base.of(k.ORDER_STEP, in_period(m.due_on, self.period)))
        steps = self.base.of(k.ORDER_STEP, m.case_id.in_(due.correlate(None)))
        return self.members(whole_orders(facts_where(self.session, steps), self.period))

    def trend(self) -> list[dict[str, Any]]:
        wanted = [s.id for s in SPECS if s.id in (*TREND, *TREND_MORE)]
        by_month = {
            sid: tally(self.rows(RATES[sid]), Count(excl=RATES[sid].excl, by_bucket=True), False)
            for sid in wanted
        }
        series = []
        for month in months(self.period):
            row: dict[str, Any] = {"month": month.start.strftime("%Y-%m")}
            for sid in wanted:
                t = by_month[sid].get(month_number(month.start), Tally())
                row[sid] = {"numerator": t.numerator, "denominator": t.denominator}
                row[sid]["percent"] = t.percent
            series.append(row)
        return series

    def weeks(self, edges: Sequence[int]) -> dict[str, Any]:
        where = self.base.of(
            k.FINAL_PLAN, in_period(m.met_on, self.period), m.start_on.is_not(None)
        )
        inner = select(DaysBetween(m.met_on, m.start_on).label("d")).where(*where).subquery()
        query = select(inner.c.d, func.count()).group_by(inner.c.d)
        histogram = {int(d): int(n) for d, n in self.session.execute(query)}
        return weeks_summary(histogram, edges)

    # ---- the local measures (local.py) --------------------------------------------------

    def count(self, items: Items, how: Count = Count()) -> dict[str, Any]:
        return tally(fetch(self.session, items, ids=self.ids), how, self.ids)["all"].as_dict()

    def requests_by_family(self) -> dict[str, Any]:
        where = self.base.of(k.REQUEST, in_period(m.start_on, self.period))
        return self.count(Items(where, [flag(attr("source").in_(FAMILY))]))

    def assessment_yes_no(self) -> dict[str, Any]:
        where = self.base.of(k.ASSESSMENT_DECISION, in_period(m.met_on, self.period))
        rows = fetch(self.session, Items(where, [flag(attr("outcome") == "agreed")]), ids=self.ids)
        yes = tally(rows, Count(), self.ids)["all"]
        no = tally(rows, Count(invert=True), self.ids)["all"]
        return {"yes": yes.as_dict(), "no": no.as_dict()}

    def disputes(self) -> dict[str, Any]:
        found = facts_where(self.session, self.base.where(m.kind.in_((k.MEDIATION, k.APPEAL))))
        return self.members(disputes(found, self.period))

    def plans_reviewed(self, cal: StatutoryCalendar) -> dict[str, Any]:
        """`local.plans_reviewed_in_12_months`: every plan in force a year or more at the
        period's end, reviewed (here or, before a transfer in, elsewhere) in the last year."""
        end = self.period.end
        since = cal.add_months(end, -12)
        reviews = self.base.of(k.REVIEW, m.start_on > since, m.start_on <= end)
        reviewed = select(m.case_id).where(*reviews).correlate(None)
        last = attr("last_review_on")  # ISO text: compared as text, on both databases
        elsewhere = and_(last > since.isoformat(), last <= end.isoformat())
        plans = self.base.of(
            k.PLAN,
            m.start_on.is_not(None),
            m.start_on <= since,
            or_(m.ended_on.is_(None), m.ended_on > end),
        )
        return self.count(Items(plans, [flag(or_(m.case_id.in_(reviewed), elsewhere))]))

    def review_participation(self) -> dict[str, Any]:
        people = attr("participants")  # the JSON array's text: each name quoted
        cyp = people.contains('"child_or_young_person"', autoescape=True)
        parent = people.contains('"parent"', autoescape=True)
        young = m.attrs["young_person"].as_boolean()
        both = case((young, flag(cyp)), else_=flag(and_(cyp, parent)))
        where = self.base.of(k.REVIEW, in_period(m.start_on, self.period))
        rows = fetch(self.session, Items(where, [both, flag(cyp), flag(parent)]), ids=self.ids)
        return {
            name: tally(rows, Count(verdict=i), self.ids)["all"].as_dict()
            for i, name in enumerate(
                ("child_and_parent_or_young_person", "child_or_young_person", "parent")
            )
        }

    def advice_targets(self, targets: Targets) -> dict[str, Any]:
        rows = self.rows(RateDef(k.ADVICE, True, group="contributor"))
        tallies = tally(rows, Count(label=str), self.ids)
        out = grouped(tallies)
        for name, t in tallies.items():
            (out if name == "all" else out["by"][name])["targets_met"] = targets_met(
                t.percent, targets
            )
        return out


def sql_measures_report(
    session: Session,
    period: Period,
    base: Base,
    settings: MeasureSettings,
    cal: StatutoryCalendar,
    outcomes: Callable[[], dict[str, Any]],
    *,
    ids: bool = False,
) -> dict[str, Any]:
    """The document `report.measures_report` makes from the same facts (without the member
    lists unless `ids`); `outcomes` gives the outcomes-by-heading table."""
    r = Reader(session, period, base, ids)
    local = {
        "requests_by_parents_or_young_people": r.requests_by_family(),
        "assessment_yes_no": r.assessment_yes_no(),
        "mediation_and_tribunal": r.disputes(),
        "plans_reviewed_in_12_months": r.plans_reviewed(cal),
        "review_participation": r.review_participation(),
        "advice_on_time_by_agency": r.advice_targets(settings.targets),
        "outcomes_met_by_heading": outcomes(),
    }
    return {
        "period": period_dict(period),
        "timeliness": r.timeliness(),
        "weeks_to_issue": r.weeks(settings.weeks_buckets),
        "trend": r.trend(),
        "local": local_entries(local),
    }

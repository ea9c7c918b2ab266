"""Rates counted by the database over `measure_facts`: the same rules as `rates.py`
(`timeliness`, `by_act`, `by_due`), written as SQL expressions so a measure over a large authority
returns a handful of grouped rows instead of every fact.

Each measure is a query of *items*: the facts it counts, each with one or more verdicts
(1 hit, 0 miss, NULL not countable), optional group columns and a month bucket. Counted, the query
is grouped by those columns; with the members asked for (`ids`), it returns one row per item and
its case. Either way `tally` turns the rows into the same numerators, denominators and members as
the Python rules, which stay the definition (`from_log`); the tests hold the two equal.

Dates compare as columns and bound parameters only (DATE on PostgreSQL, ISO text on SQLite, both
order the same); months are bucketed by a CASE over boundaries passed in, not by a date function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from audit.measures.projection import window_clause
from audit.measures.rates import Period, Rate, counts_dict, percent_of
from ehcp_engine.persistence.models import Case, MeasureFact, User

m = MeasureFact


@dataclass(frozen=True)
class Base:
    """What every query shares: facts of the window (as `facts_from_projection` selects them,
    so each measure sees exactly the facts the Python report does) of the cases in scope."""

    window: tuple[date, date]
    team_id: int | None = None
    officer_id: int | None = None

    def where(self, *more: ColumnElement[bool]) -> list[ColumnElement[bool]]:
        found = [window_clause(*self.window), *more]
        if self.officer_id is not None:
            found.append(m.case_id.in_(select(Case.id).where(Case.officer_id == self.officer_id)))
        if self.team_id is not None:
            team = select(Case.id).join(User, User.id == Case.officer_id)
            found.append(m.case_id.in_(team.where(User.team_id == self.team_id)))
        return found

    def of(self, kind: str, *more: ColumnElement[bool]) -> list[ColumnElement[bool]]:
        return self.where(m.kind == kind, *more)


@dataclass(frozen=True)
class Items:
    where: Sequence[ColumnElement[bool]]
    verdicts: Sequence[ColumnElement[Any]]
    groups: Sequence[ColumnElement[Any]] = ()
    bucket: ColumnElement[Any] | None = None


@dataclass(frozen=True)
class Row:
    bucket: int | None
    groups: tuple[Any, ...]
    verdicts: tuple[int | None, ...]
    exception: bool
    n: int
    case_id: int | None


def fetch(session: Session, items: Items, *, ids: bool) -> list[Row]:
    """The items counted by (bucket, groups, verdicts, exception), or one by one with their case.
    The expressions are labelled in a subquery and grouped outside it, since PostgreSQL does not
    match a SELECT's expression to the GROUP BY's when their bound parameters differ."""
    bucket = items.bucket if items.bucket is not None else literal(0)
    keys = [
        bucket.label("b"),
        *(g.label(f"g{i}") for i, g in enumerate(items.groups)),
        *(v.label(f"v{i}") for i, v in enumerate(items.verdicts)),
        m.exception.label("x"),
    ]
    inner = select(*keys, m.case_id.label("c")).where(*items.where).subquery()
    outer = [inner.c[k.name] for k in keys]
    if ids:
        query = select(*outer, literal(1), inner.c.c)
    else:
        query = select(*outer, func.count(), literal(None)).group_by(*outer)
    ng, nv = len(items.groups), len(items.verdicts)
    return [
        Row(
            None if r[0] is None else int(r[0]),
            tuple(r[1 : 1 + ng]),
            tuple(None if v is None else int(v) for v in r[1 + ng : 1 + ng + nv]),
            bool(r[1 + ng + nv]),
            int(r[2 + ng + nv]),
            r[3 + ng + nv],
        )
        for r in session.execute(query)
    ]


@dataclass
class Tally:
    """One rate's counts, and its members when asked for (a `Rate`, sorted as the Python's)."""

    numerator: int = 0
    denominator: int = 0
    excluded: int = 0
    members: Rate | None = None

    def add(self, hit: bool | None, n: int, case_id: int | None) -> None:
        if hit is None:
            self.excluded += n
        else:
            self.denominator += n
            self.numerator += n if hit else 0
        if self.members is not None:
            assert case_id is not None and n == 1
            if hit is None:
                self.members.excluded_ids.append(case_id)
            else:
                self.members.count(case_id, hit)

    @property
    def percent(self) -> float | None:
        return percent_of(self.numerator, self.denominator)

    def as_dict(self) -> dict[str, Any]:
        if self.members is not None:
            return self.members.as_dict()
        return counts_dict(self.numerator, self.denominator, self.excluded)


@dataclass(frozen=True)
class Count:
    """How one measure reads the rows: which verdict, whether exceptions are left out (and so
    excluded), inverted (the 'no' of yes/no), and the label of its groups."""

    verdict: int = 0
    excl: bool = False
    invert: bool = False
    label: Callable[..., str] | None = None
    by_bucket: bool = False


def tally(rows: Iterable[Row], how: Count, ids: bool) -> dict[Any, Tally]:
    """The whole under "all" and each group under its label (or, `by_bucket`, each month)."""
    found: dict[Any, Tally] = defaultdict(lambda: Tally(members=Rate() if ids else None))
    if not how.by_bucket:
        found["all"] = Tally(members=Rate() if ids else None)
    for r in rows:
        v = r.verdicts[how.verdict]
        hit = None if v is None or (how.excl and r.exception) else bool(v) != how.invert
        if how.by_bucket:
            keys: list[Any] = [r.bucket]
        else:
            keys = ["all", *([how.label(*r.groups)] if how.label else [])]
        for key in keys:
            found[key].add(hit, r.n, r.case_id)
    return dict(found)


# ---- the rules as SQL ----------------------------------------------------------------------


def flag(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 where the condition holds, else 0 (NULL counts as not holding, as a missing attribute
    is falsy in Python)."""
    return case((condition, 1), else_=0)


def on_time() -> ColumnElement[Any]:
    """`Fact.on_time` for an act done (met_on set)."""
    return flag(and_(m.due_on.is_not(None), m.met_on <= m.due_on))


def due_verdict(as_of: date) -> ColumnElement[Any]:
    """`rates.timeliness`: done, on time or late; stopped undone, late only if past due; still
    running, late once past due on `as_of`; otherwise NULL (not countable)."""
    return case(
        (m.met_on.is_not(None), on_time()),
        (m.ended_on.is_not(None), case((m.ended_on > m.due_on, 0), else_=None)),
        (m.due_on < as_of, 0),
        else_=None,
    )


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column.is_not(None), column.between(period.start, period.end))


def month_bucket(column: Any) -> ColumnElement[Any]:
    """The calendar month the date falls in, as `month_number` numbers it. (A CASE over each
    month's boundaries grew with the period: a period of centuries timed out.)"""
    return MonthNumber(column)


def month_number(day: date) -> int:
    """Months since year 0: the same number `MonthNumber` computes in SQL."""
    return day.year * 12 + day.month - 1


class MonthNumber(FunctionElement[int]):
    """year * 12 + month - 1 of a date."""

    type = Integer()
    inherit_cache = True
    name = "month_number"


@compiles(MonthNumber)
def _month_default(element: MonthNumber, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    year, month = f"EXTRACT(YEAR FROM {day})", f"EXTRACT(MONTH FROM {day})"
    return f"CAST({year} * 12 + {month} - 1 AS INTEGER)"


@compiles(MonthNumber, "sqlite")
def _month_sqlite(element: MonthNumber, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    year, month = (
        f"CAST(strftime('%Y', {day}) AS INTEGER)",
        f"CAST(strftime('%m', {day}) AS INTEGER)",
    )
    return f"({year} * 12 + {month} - 1)"


class DaysBetween(FunctionElement[int]):
    """Whole days from the second date to the first."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(DaysBetween)
def _days_default(element: DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"  # PostgreSQL: date - date is an integer of days


@compiles(DaysBetween, "sqlite")
def _days_sqlite(element: DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

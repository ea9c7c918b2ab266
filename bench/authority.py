"""A large synthetic authority for the read-side benchmarks, built in two steps.

1. TEMPLATE: the simulator (`ehcp_engine.services.simulator.run.simulate`) drives a small
   authority through the real write path (`--template-plans` plans over `--template-years`
   years, fixed seed), then the measures projection is refreshed by the real code.
2. COPIES: its case rows (cases, audit_events, stages, deadlines, advice_requests, notices,
   measure_facts, measure_cases) are copied in bulk by `INSERT ... SELECT` with id offsets until
   the authority has the plans asked for. Copies are the same children on the same dates under
   new ids and references; their audit chains are byte-for-byte the template's (no re-hashing),
   which no measure, replay or page reads.

So the events are real engine output, and only their number is multiplied; a 640k-plan authority
takes minutes to build instead of days through the write path. It is for benchmarks only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from time import perf_counter

from sqlalchemy import Engine, Table, func, select, text, update

from bench.common import reset_sequences, services_at, table
from ehcp_engine.persistence.models import MeasureWatermark
from ehcp_engine.services import measures
from ehcp_engine.services.simulator.run import simulate

EVENTS_ONLY = ("cases", "audit_events")
# Parents before children; every other table is left as the simulator wrote it (staff, teams).
CLONED = (
    "cases",
    "audit_events",
    "stages",
    "deadlines",
    "advice_requests",
    "notices",
    "measure_facts",
    "measure_cases",
)


@dataclass(frozen=True)
class Authority:
    plans_in_force: int  # at the end of the simulated period
    cases: int
    events: int
    facts: int
    copies: int
    template_seconds: float
    copy_seconds: float
    period_end: date


def _max_id(engine: Engine, name: str) -> int:
    t = table(name)
    key = t.c.id if "id" in t.c else t.c.case_id
    with engine.connect() as conn:
        return int(conn.scalar(select(func.max(key))) or 0)


def _count(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table(name))) or 0)


def _column_expr(t: Table, column: str, offsets: dict[str, int]) -> str:
    """The SELECT expression copying `column` shifted by :shift copies."""
    if column == "id" and t.name in offsets:
        return f"id + :shift * {offsets[t.name]}"
    if column == "case_id":
        return f"case_id + :shift * {offsets['cases']}"
    if t.name == "cases" and column == "reference":  # unique: the new case id
        return f"'BENCH-' || CAST(id + :shift * {offsets['cases']} AS VARCHAR(12))"
    if t.name == "measure_cases" and column == "audit_id":
        return f"audit_id + :shift * {offsets['audit_events']}"
    if t.name == "notices" and column == "outbox_id":
        return "NULL"  # the outbox is not copied
    return f'"{column}"'


def _copy_table(engine: Engine, name: str, have: int, copies: int, offsets: dict[str, int]) -> None:
    """Double the rows each round (copies 0..m-1 become copies have..have+m-1): a 6,000-fold
    authority takes 13 statements per table, not 6,000."""
    t = table(name)
    columns = [c.name for c in t.columns]
    exprs = ", ".join(_column_expr(t, c, offsets) for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    key = "id" if "id" in t.c else "case_id"
    block = offsets[name] if name in offsets else offsets["cases"]
    sql = text(f"INSERT INTO {name} ({names}) SELECT {exprs} FROM {name} WHERE {key} <= :top")
    while have < copies:
        more = min(have, copies - have)
        with engine.begin() as conn:
            conn.execute(sql, {"shift": have, "top": more * block})
        have += more


def template_offsets(engine: Engine) -> dict[str, int]:
    """The template's highest id per table: copy k holds ids (k * offset, (k + 1) * offset]."""
    return {name: _max_id(engine, name) for name in CLONED if name != "measure_cases"}


def copy_cases(
    engine: Engine,
    offsets: dict[str, int],
    have: int,
    copies: int,
    tables: Sequence[str] = CLONED,
) -> None:
    """Grow the authority from `have` copies of the template to `copies` (copy 0 is the
    template itself); only `tables` (the events alone, for a benchmark that reads nothing
    else)."""
    for name in tables:
        _copy_table(engine, name, have, copies, offsets)
    reset_sequences(engine, [n for n in CLONED if n != "measure_cases"])
    top = _max_id(engine, "audit_events")
    with engine.begin() as conn:
        conn.execute(
            update(MeasureWatermark).where(MeasureWatermark.name == "facts").values(audit_id=top)
        )
        conn.execute(text("ANALYZE"))


@dataclass(frozen=True)
class Template:
    per_copy: int  # plans in force in one copy
    offsets: dict[str, int]
    seconds: float
    period_end: date


def simulate_template(
    engine: Engine, now: datetime, *, plans: int = 100, years: int = 2, seed: int = 5
) -> Template:
    """The small authority every copy repeats, through the real write path."""
    svc = services_at(engine, now)
    t0 = perf_counter()
    report = simulate(svc, plans=plans, years=years, seed=seed, progress=False)
    measures.refresh(svc)
    return Template(
        per_copy=max(1, report.measures.plans_in_force),
        offsets=template_offsets(engine),
        seconds=perf_counter() - t0,
        period_end=report.end,
    )


def grow(
    engine: Engine, template: Template, have: int, plans: int, tables: Sequence[str] = CLONED
) -> Authority:
    """Copy the template until about `plans` plans are in force (never fewer copies than now)."""
    copies = max(have, round(plans / template.per_copy))
    t0 = perf_counter()
    copy_cases(engine, template.offsets, have, copies, tables)
    return Authority(
        plans_in_force=template.per_copy * copies,
        cases=_count(engine, "cases"),
        events=_count(engine, "audit_events"),
        facts=_count(engine, "measure_facts"),
        copies=copies,
        template_seconds=template.seconds,
        copy_seconds=perf_counter() - t0,
        period_end=template.period_end,
    )


def build(
    engine: Engine,
    now: datetime,
    plans: int,
    *,
    template_plans: int = 100,
    template_years: int = 2,
    seed: int = 5,
) -> Authority:
    """Simulate the template, then copy it until about `plans` plans are in force."""
    template = simulate_template(engine, now, plans=template_plans, years=template_years, seed=seed)
    return grow(engine, template, 1, plans)

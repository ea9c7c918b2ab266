"""Headline measures of an authority, taken from its database (STATUTORY.md §5 definitions).

Timeliness comes from the deadlines the engine keeps: a deadline met on or before its due date
is on time; `missed_exception` is late under a recorded exception. A measure counts the acts in
the period [start, end) (SEN2 counts the acts of a calendar year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ehcp_engine.persistence.models import AuditEvent, DeadlineRow, StageRow
from ehcp_engine.services.context import Services

CLOSED = ("met", "missed", "missed_exception")


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None

    def __str__(self) -> str:
        pct = self.percent
        return f"{pct:.1f}% ({self.part}/{self.whole})" if pct is not None else "n/a (0)"


@dataclass(frozen=True)
class Measures:
    decisions_within_6_weeks: Rate
    refused_to_assess: Rate
    final_within_20_weeks_incl_exceptions: Rate
    final_within_20_weeks_excl_exceptions: Rate
    no_plan_within_16_weeks: Rate
    review_decisions_within_4_weeks: Rate
    appeals: Rate
    plans_in_force: int

    def lines(self) -> list[tuple[str, str, str]]:
        """(measure, value, national figure) for printing."""
        return [
            ("decisions to assess within 6 weeks", str(self.decisions_within_6_weeks), "84.8%"),
            ("requests refused assessment", str(self.refused_to_assess), "20-25%"),
            (
                "final plans within 20 weeks, incl. exceptions",
                str(self.final_within_20_weeks_incl_exceptions),
                "45.9%",
            ),
            (
                "final plans within 20 weeks, excl. exceptions",
                str(self.final_within_20_weeks_excl_exceptions),
                "46.4%",
            ),
            ("decisions not to issue within 16 weeks", str(self.no_plan_within_16_weeks), "34.1%"),
            ("review decisions within 4 weeks", str(self.review_decisions_within_4_weeks), "44.4%"),
            ("appeals per appealable decision", str(self.appeals), "~6%"),
        ]


def headline_measures(svc: Services, start: date, end: date) -> Measures:
    """The measures for acts dated in [start, end)."""
    timed = _timeliness(svc, start, end)
    with svc.sessions() as session:
        counts = dict(
            session.execute(
                select(AuditEvent.type, func.count())
                .where(AuditEvent.occurred_on >= start, AuditEvent.occurred_on < end)
                .group_by(AuditEvent.type)
            ).all()
        )
        windows = session.scalar(
            select(func.count()).where(
                DeadlineRow.rule == "appeal_window",
                DeadlineRow.starts_on >= start,
                DeadlineRow.starts_on < end,
            )
        )
        in_force = session.scalar(
            select(func.count()).where(StageRow.stage == "plan", StageRow.closed_on.is_(None))
        )
    refused = counts.get("assessment_refused", 0)
    decided = refused + counts.get("assessment_agreed", 0)
    return Measures(
        decisions_within_6_weeks=timed["assessment_decision"],
        refused_to_assess=Rate(refused, decided),
        final_within_20_weeks_incl_exceptions=timed["final_plan"],
        final_within_20_weeks_excl_exceptions=timed["final_plan:excl"],
        no_plan_within_16_weeks=timed["no_plan_notice"],
        review_decisions_within_4_weeks=timed["review_decision"],
        appeals=Rate(counts.get("appeal_registered", 0), int(windows or 0)),
        plans_in_force=int(in_force or 0),
    )


def _timeliness(svc: Services, start: date, end: date) -> dict[str, Rate]:
    rules = ("assessment_decision", "final_plan", "no_plan_notice", "review_decision")
    tallies: dict[str, list[int]] = {r: [0, 0] for r in (*rules, "final_plan:excl")}
    with svc.sessions() as session:
        rows = session.execute(
            select(DeadlineRow.rule, DeadlineRow.status, DeadlineRow.exception).where(
                DeadlineRow.rule.in_(rules),
                DeadlineRow.status.in_(CLOSED),
                DeadlineRow.met_on >= start,
                DeadlineRow.met_on < end,
            )
        ).all()
    for rule, status, exc in rows:
        tallies[rule][0] += status == "met"
        tallies[rule][1] += 1
        if rule == "final_plan" and not exc:
            tallies["final_plan:excl"][0] += status == "met"
            tallies["final_plan:excl"][1] += 1
    return {k: Rate(v[0], v[1]) for k, v in tallies.items()}

"""SEN2 person records built from a case's measure facts (folded from the audit log), the case's
child data and the SEN2 items the workflow does not record.

A record is plain data keyed by SEN2 element names: module 1 (Person) holds a list of module 2
`Requests`, each with its module 3 `Assessment` (holding module 4 `NamedPlan`) and module 5
`ActivePlans`. Which requests are returned, and their outcomes as at the end of the collection
period, follow the DfE guide: requests received or decided in the period, requests still
undecided, and plans active on the census date (a decision made before the period is historical,
H; so is a plan transferred in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.measures import facts as k
from audit.measures.facts import Fact
from audit.sen2.spec import Collection, Sen2Config
from ehcp_engine.domain.calendar import StatutoryCalendar

Record = dict[str, Any]
CEASED_BY_TRANSFER = "5"  # SEN2 cease reason: transferred to another LA in England


@dataclass(frozen=True)
class Child:
    case_id: int
    reference: str | None
    surname: str
    forename: str
    date_of_birth: date
    upn: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    postcode: str | None = None
    uln: str | None = None
    upn_unknown: str | None = None
    sen_types: tuple[str, ...] = ()


@dataclass
class PersonRecord:
    child: Child
    person: Record
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, level, message)


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class _Ctx:
    child: Child
    facts: Sequence[Fact]
    col: Collection
    cfg: Sen2Config
    cal: StatutoryCalendar

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def plan(self, seq: Any) -> Fact | None:
        return next((f for f in self.of(k.PLAN) if f.attrs.get("seq") == seq), None)

    def active(self, plan: Fact | None) -> bool:
        census = self.col.census_date
        return (
            plan is not None
            and plan.start_on is not None
            and plan.start_on <= census
            and (plan.ended_on is None or plan.ended_on > census)
        )


def _outcome(history: Sequence[Sequence[str]], ctx: _Ctx) -> tuple[str, date | None]:
    """A module's outcome as it stood at the end of the collection period (a later decision is
    not made yet; one made before the period is historical, H)."""
    start, end = ctx.col.period
    made = [(code, on) for code, iso in history if (on := date.fromisoformat(iso)) <= end]
    if not made:
        return "A", None
    code, on = made[-1]
    return ("H", on) if on < start else (code, on)


def _flag(ctx: _Ctx, kind: str, category: str, request_seq: int, by: date) -> str:
    for f in ctx.of(kind):
        when = _day(f.attrs.get("held_on")) if kind == k.MEDIATION else f.start_on
        same = f.attrs.get("category") == category and f.attrs.get("request_seq") == request_seq
        if same and when is not None and when <= by:
            return "1"
    return "0"


def _disputes(ctx: _Ctx, request_seq: int, prefix: str, category: str) -> Record:
    end = ctx.col.period[1]
    return {
        f"{prefix}Mediation": _flag(ctx, k.MEDIATION, category, request_seq, end),
        f"{prefix}Tribunal": _flag(ctx, k.APPEAL, category, request_seq, end),
    }


def _setting(name: Any) -> list[Record]:
    """A named setting without a URN or UKPRN goes as 'other' with its name (queried)."""
    if not name:
        return []
    return [{"SENSetting": "OTH", "SENSettingOther": str(name)[:100], "PlacementRank": "1"}]


def _named_plan(ctx: _Ctx, plan: Fact) -> Record:
    named: Record = {"StartDate": _iso(plan.start_on)}
    named["PlanDetail"] = _setting(plan.attrs.get("named_setting"))
    ended = plan.ended_on
    if ended is not None and ended <= ctx.col.census_date:
        named["CeaseDate"] = _iso(ended)
        reason = plan.attrs.get("cease_reason")
        by_transfer = plan.attrs.get("ended_by") == "plan_transferred_out"
        named["CeaseReason"] = CEASED_BY_TRANSFER if by_transfer else str(reason or "")
    return named


def _reviews(ctx: _Ctx, plan: Fact) -> Record:
    census, (start, _) = ctx.col.census_date, ctx.col.period
    reviews = [f for f in ctx.of(k.REVIEW) if f.attrs.get("plan") == plan.key]
    found: Record = {}
    recent = [r for r in reviews if r.start_on and start <= r.start_on <= census]
    if recent:
        latest = max(recent, key=lambda r: r.start_on or census)
        found["ReviewMeeting"] = _iso(latest.start_on)
        outcome = latest.attrs.get("outcome")
        if outcome and latest.met_on and latest.met_on <= census:
            found["ReviewOutcome"] = ctx.cfg.review_outcome.get(str(outcome))
    decided = [r.met_on for r in reviews if r.met_on and r.met_on <= census]
    last = max(decided) if decided else _day(plan.attrs.get("last_review_on"))
    if last:
        found["LastReview"] = _iso(last)
    return found


def _transfer(ctx: _Ctx, plan: Fact) -> Record:
    census, (start, _) = ctx.col.census_date, ctx.col.period
    horizon = ctx.cal.add_months(census, 12)
    ahead = [
        f
        for f in ctx.of(k.PHASE_TRANSFER)
        if f.attrs.get("plan_seq") == plan.attrs.get("seq")
        and f.due_on is not None
        and start <= f.due_on <= horizon
    ]
    if not ahead:
        return {}
    first = min(ahead, key=lambda f: f.due_on or census)
    found: Record = {"PhaseTransferDueDate": _iso(first.due_on)}
    if first.met_on and first.met_on <= census:
        found["PhaseTransferFinalDate"] = _iso(first.met_on)
    return found


def _active_plans(ctx: _Ctx, plan: Fact) -> Record:
    active: Record = {}
    from_la = plan.attrs.get("from_la")
    if from_la and str(from_la) in ctx.cfg.la_codes:
        active["TransferLA"] = str(from_la)
    active["PlacementDetail"] = _setting(plan.attrs.get("named_setting"))
    active["SENneed"] = [
        {"SENtype": t, "SENtypeRank": str(n)} for n, t in enumerate(ctx.child.sen_types[:2], 1)
    ]
    return {**active, **_reviews(ctx, plan), **_transfer(ctx, plan)}


def _relevant(
    ctx: _Ctx, received: date, decided: Sequence[date | None], plan: Fact | None, ro: str
) -> bool:
    """Received or decided in the period, still undecided at its end, or a plan active on the
    census date (or ceased in the period)."""
    start, end = ctx.col.period
    if received > end:
        return False
    in_period = start <= received or any(d and start <= d for d in decided)
    ceased_in_period = plan is not None and plan.ended_on is not None and start <= plan.ended_on
    return in_period or ro == "A" or ctx.active(plan) or ceased_in_period


def _request(ctx: _Ctx, r: Fact) -> Record | None:
    received, seq = r.start_on, int(r.attrs["seq"])
    assert received is not None
    ro, ro_on = _outcome(r.attrs.get("request_outcomes", []), ctx)
    ao, ao_on = _outcome(r.attrs.get("assessment_outcomes", []), ctx)
    plan = ctx.plan(r.attrs.get("issued_seq"))
    if not _relevant(ctx, received, [ro_on, ao_on], plan, ro):
        return None
    if ro == "H":
        block: Record = {"RequestOutcome": "H"}
    else:
        block = {
            "ReceivedDate": _iso(received),
            "RequestSource": ctx.cfg.request_source.get(str(r.attrs.get("source"))),
            "RYA": "1" if _age(ctx.child.date_of_birth, received) >= 19 else "0",
            "RequestOutcomeDate": _iso(ro_on) if ro in ("Y", "N") else None,
            "RequestOutcome": ro,
            **_disputes(ctx, seq, "Request", "request"),
        }
    if ro in ("Y", "H"):
        block["Assessment"] = _assessment(ctx, seq, ao, ao_on, plan)
    if ctx.active(plan) and plan is not None:
        block["ActivePlans"] = _active_plans(ctx, plan)
    return block


def _assessment(ctx: _Ctx, seq: int, ao: str, ao_on: date | None, plan: Fact | None) -> Record:
    block: Record = {"AssessmentOutcome": ao}
    if ao in ("Y", "N"):
        block["AssessmentOutcomeDate"] = _iso(ao_on)
    if ao != "H":
        block.update(_disputes(ctx, seq, "Assessment", "assessment"))
        block.update(_disputes(ctx, seq, "Other", "other"))
    if ao == "Y":
        final = next((f for f in ctx.of(k.FINAL_PLAN) if f.key == f"{k.FINAL_PLAN}@{seq}"), None)
        block["Week20"] = "1" if final is not None and final.exception else "0"
    if ao in ("Y", "H") and plan is not None:
        block["NamedPlan"] = _named_plan(ctx, plan)
    return block


def _transferred_in(ctx: _Ctx) -> list[Record]:
    """A plan transferred in from another authority: historical request and assessment."""
    start = ctx.col.period[0]
    found = []
    for plan in ctx.of(k.PLAN):
        if not plan.attrs.get("transferred_in"):
            continue
        ceased_in_period = plan.ended_on is not None and start <= plan.ended_on
        if not (ctx.active(plan) or ceased_in_period):
            continue
        block: Record = {
            "RequestOutcome": "H",
            "Assessment": {"AssessmentOutcome": "H", "NamedPlan": _named_plan(ctx, plan)},
        }
        if ctx.active(plan):
            block["ActivePlans"] = _active_plans(ctx, plan)
        found.append(block)
    return found


def _age(born: date, on: date) -> int:
    return on.year - born.year - int((on.month, on.day) < (born.month, born.day))


def person_record(
    child: Child, facts: Sequence[Fact], col: Collection, cfg: Sen2Config, cal: StatutoryCalendar
) -> PersonRecord | None:
    """The person's SEN2 record, or None when nothing of theirs belongs in this return."""
    ctx = _Ctx(child, facts, col, cfg, cal)
    requests = [b for r in ctx.of(k.REQUEST) if (b := _request(ctx, r)) is not None]
    requests += _transferred_in(ctx)
    if not requests:
        return None
    person: Record = {
        "Surname": child.surname,
        "Forename": child.forename,
        "PersonBirthDate": _iso(child.date_of_birth),
        "Sex": child.sex,
        # CBDS: NOBT, "information not yet obtained" (queried in the data-quality report).
        "Ethnicity": child.ethnicity or "NOBT",
        "PostCode": child.postcode,
        "UPN": child.upn,
        "UniqueLearnerNumber": child.uln,
        "UPNunknown": child.upn_unknown,
        "Requests": requests,
    }
    return PersonRecord(child, person)

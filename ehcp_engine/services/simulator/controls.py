"""Control steps (`@name` items): arrivals that open cases, and steps that plan what follows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ehcp_engine.persistence.models import AdviceRequestRow, DeadlineRow
from ehcp_engine.services.simulator import ceasing, disputes, people, rates, reviews
from ehcp_engine.services.simulator.agenda import chance, pick, plus, request_items, work
from ehcp_engine.services.simulator.journey import assessment_items, stock_items
from ehcp_engine.services.simulator.staff import assign
from ehcp_engine.services.simulator.world import CaseSim, Control, Item, Sim
from ehcp_engine.services.write_path import EventIn

GROUNDS: dict[str, dict[str, float]] = {
    # Reg 10(4): the decision and the final plan; Reg 8(2): advice.
    "reg10_4": {
        "personal_circumstances": 0.45,
        "absence_from_area": 0.2,
        "setting_closure": 0.3,
        "early_years_closure": 0.05,
    },
    "reg8_2": {"missed_appointment": 0.6, "personal_circumstances": 0.3, "absence_from_area": 0.1},
}


def arrive_request(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """A request for an assessment arrives (Act s.36) and opens a case."""
    case.child = people.child(case.rng, sim.today, rates.REQUEST_AGES)
    case.officer = assign(sim.teams, case.rng)
    case.source = pick(case.rng, rates.REQUEST_SOURCES)
    opening = EventIn("request_received", sim.today, {"source": case.source})
    if not sim.open_case(case, opening):
        return []
    return request_items(case, sim.svc.config.calendar, sim.today)


def arrive_stock(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """A plan issued before the simulated period: its (shortened) journey, backdated."""
    issue = date.fromisoformat(str(item.data["issue"]))
    case.child = people.child(case.rng, issue, rates.PLAN_AGES)
    case.officer = assign(sim.teams, case.rng)
    case.source = pick(case.rng, rates.REQUEST_SOURCES)
    if not sim.open_case(case, EventIn("request_received", sim.today, {"source": case.source})):
        return []
    return stock_items(case, sim.svc.config.calendar, sim.today, issue)


def arrive_transfer(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """A plan transferred in from another authority (Reg 15): notice within 6 weeks, the first
    review by the later of 12 months from the last review and 3 months from the transfer."""
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    case.child = people.child(rng, today, rates.PLAN_AGES)
    case.officer = assign(sim.teams, rng)
    earliest = case.child.date_of_birth + timedelta(days=730)
    issued = max(earliest, today - timedelta(days=rng.randint(60, 1800)))
    data: dict[str, Any] = {"from_la": people.other_authority(rng), "plan_issued_on": issued}
    last = issued
    if (today - issued).days > 365:
        last = max(issued, today - timedelta(days=rng.randint(30, 330)))
        data["last_review_on"] = last.isoformat()
    data["plan_issued_on"] = issued.isoformat()
    if not sim.open_case(case, EventIn("plan_transferred_in", today, data)):
        return []
    case.review_due = max(cal.add_months(last, 12), cal.add_months(today, 3))
    on_time = chance(rng, rates.TRANSFER_NOTICE_ON_TIME)
    sent = plus(rng, today, 10, 42) if on_time else plus(rng, today, 43, 90)
    notice = {"will_reassess": False, "review_by": case.review_due.isoformat()}
    # The notice waits while the plan is not simply maintained: the plan's life may have
    # proposed to cease it first, and the engine refuses the notice while a cease is pending
    # (seen once in 995,422 events of the 20,000-plan run).
    return [
        Item(today, "@plan_life"),
        Item(work(cal, sent, floor=today), "transfer_notice_sent", notice, when="plan_ok"),
    ]


def assessment(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    forced = item.data.get("forced")
    return assessment_items(
        case, sim.svc.config.calendar, sim.today, str(forced) if forced else None
    )


def exception(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """STATUTORY §2: record an exception against one deadline, named by its id."""
    rng, today = case.rng, sim.today
    found = deadline_id(sim, case, str(item.data["rule"]), item.data.get("advice_type"))
    if found is None:
        return []  # met in the meantime: nothing to excuse
    begun = today - timedelta(days=rng.randint(0, 14))
    if case.request_on is not None:
        begun = max(begun, case.request_on)
    data = {
        "ground": pick(rng, GROUNDS[str(item.data["reg"])]),
        "from": begun.isoformat(),
        "to": plus(rng, begun, 28, 70).isoformat(),
        "rule": found,
        "family_informed": chance(rng, 0.85),
        "evidence": "Recorded on the case file (simulated).",
    }
    sim.record(case, "exception_recorded", data)
    return []


def deadline_id(sim: Sim, case: CaseSim, rule: str, advice_type: object) -> int | None:
    """The id of the case's latest open deadline of `rule` (for advice: of that adviser)."""
    query = select(DeadlineRow.id).where(
        DeadlineRow.case_id == case.case_id,
        DeadlineRow.rule == rule,
        DeadlineRow.status == "open",
    )
    if advice_type is not None:
        asked = select(AdviceRequestRow.key).where(
            AdviceRequestRow.case_id == case.case_id,
            AdviceRequestRow.advice_type == str(advice_type),
            AdviceRequestRow.received_on.is_(None),
        )
        query = query.where(DeadlineRow.subject_key.in_(asked))
    with sim.svc.sessions() as session:
        return session.scalar(query.order_by(DeadlineRow.id.desc()).limit(1))


CONTROLS: dict[str, Control] = {
    "@request": arrive_request,
    "@stock": arrive_stock,
    "@transfer_in": arrive_transfer,
    "@assessment": assessment,
    "@exception": exception,
    "@plan_life": reviews.plan_life,
    "@next_review": reviews.next_review,
    "@review_cycle": reviews.review_cycle,
    "@cease": ceasing.cease,
    "@cease_final": ceasing.cease_final,
    "@cease_now": ceasing.cease_now,
    "@dispute": disputes.dispute,
    "@dispute_end": disputes.dispute_end,
    "@comply": disputes.comply,
}

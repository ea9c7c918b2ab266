"""The plan's life: review cycles, phase-transfer reviews, reassessments, transfers out and
ceasing (Act ss.44-45; Regs 15, 18-31).

One `review` thread per plan: each cycle is planned near its start (`@review_cycle`, which waits
while the plan is being reassessed or ceased) and ends by planning the next (`@next_review`).
Between reviews a cycle may bring one interim act in its own thread.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ehcp_engine.domain.calendar import academic_year_start
from ehcp_engine.services.simulator import people, rates
from ehcp_engine.services.simulator.agenda import chance, late, ordered, pick, plus, work
from ehcp_engine.services.simulator.ceasing import cease_items, maybe_interim
from ehcp_engine.services.simulator.world import CaseSim, Item, Sim
from workflows.phase_transfer import TransferDue, future_transfers, latest_review_meeting

COMMENT_DAYS = 15  # Reg 22(2): 15 days beginning with the notice
PARTICIPANTS = ("child_or_young_person", "parent", "setting", "health", "social_care")
AMENDMENTS = (
    "Section B: update needs from the latest SALT report; Section F: 2 hours a week of "
    "speech and language therapy delivered by the school.",
    "Section F: add an individual reading programme; Section E: revise outcomes for Key Stage 2.",
    "Section F: increase 1:1 support at unstructured times; Section I: no change.",
)


def plan_life(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """A plan is in force (issued or transferred in): start its review cycles."""
    sim.start(case, "review", [Item(sim.today, "@next_review")])
    return []


def next_review(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """Plan the next cycle from the last review decision (or issue, or transfer in)."""
    assert case.child is not None and case.last_decision is not None
    if case.plan in ("ended", "none"):
        return []
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    last = case.last_decision
    under_5 = people.age_on(case.child.date_of_birth, last) < 5
    due = case.review_due or cal.add_months(last, 6 if under_5 else 12)
    case.review_due = None
    age_out = age_limit(case.child.date_of_birth)
    if age_out - timedelta(days=120) <= due:
        start = max(today + timedelta(days=7), age_out - timedelta(days=rng.randint(100, 150)))
        case.cease_reason = 1  # SEN2: reached the maximum age
        return cease_items(sim, case, work(cal, start, floor=today), "plan_ok")
    maybe_interim(sim, case, (due - last).days / 365)
    transfer = pending_transfer(sim, case, due)
    if transfer is not None:
        case.done_transfers.add(transfer.kind)
        begin = max(today, transfer.starts_on - timedelta(days=30))
        data: dict[str, Any] = {"due": due.isoformat(), "transfer": transfer.kind}
    else:
        begin = max(today, due - timedelta(days=rng.randint(100, 130)))
        data = {"due": due.isoformat()}
    return [Item(begin, "@review_cycle", data, when="plan_ok")]


def age_limit(dob: date) -> date:
    """Act s.46: a plan may be kept to the end of the academic year in which they turn 25."""
    try:
        turns = dob.replace(year=dob.year + 25)
    except ValueError:
        turns = date(dob.year + 25, 3, 1)
    return date(academic_year_start(turns).year + 1, 8, 31)


def pending_transfer(sim: Sim, case: CaseSim, due: date) -> TransferDue | None:
    """The phase transfer this cycle must deal with: the next one, if the normal review would
    fall in or after its transfer year (Reg 18(1))."""
    assert case.child is not None
    for t in future_transfers(case.child, sim.today, case.law):
        if t.kind in case.done_transfers:
            continue
        return t if due >= t.starts_on else None
    return None


def review_cycle(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """Schedule, invite, circulate, meet, report and decide (Regs 20-22)."""
    assert case.child is not None
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    due = date.fromisoformat(str(item.data["due"]))
    case.review = "planned"  # no interim act may start now (the mirror moves it on)
    transfer = _transfer(sim, case, item.data.get("transfer"))
    meeting = _meeting_day(sim, case, due, transfer)
    scheduled = work(cal, meeting - timedelta(days=rng.randint(21, 56)), floor=today)
    items = [Item(scheduled, "review_meeting_scheduled", {"meeting_on": meeting.isoformat()})]
    items += _before_meeting(sim, case, scheduled, meeting)
    on_time = chance(rng, rates.REVIEW_DECISION_ON_TIME)
    lag = (
        rng.randint(3, 28) if on_time else 28 + late(rng, rates.REVIEW_DECISION_LATE_MEAN_DAYS, 150)
    )
    floor = meeting + timedelta(days=0 if on_time else 29)
    decided = work(cal, meeting + timedelta(days=lag), floor=floor)
    report_lag = (
        rng.randint(1, 14) if chance(rng, rates.REVIEW_REPORT_ON_TIME) else 15 + late(rng, 10, 40)
    )
    report = min(decided, work(cal, meeting + timedelta(days=report_lag), floor=meeting))
    items += [
        Item(meeting, "review_meeting_held", _meeting_data(case)),
        Item(report, "review_report_received"),
    ]
    return ordered(items) + _decision_items(sim, case, decided, transfer)


def _transfer(sim: Sim, case: CaseSim, kind: object) -> TransferDue | None:
    assert case.child is not None
    if kind is None:
        return None
    found = [t for t in future_transfers(case.child, sim.today, case.law) if t.kind == kind]
    return found[0] if found else None


def _meeting_day(sim: Sim, case: CaseSim, due: date, transfer: TransferDue | None) -> date:
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    soonest = today + timedelta(days=21)
    if transfer is not None:
        low = max(transfer.starts_on + timedelta(days=7), soonest)
        high = latest_review_meeting(transfer.due_on, case.law)
        day = plus(rng, low, 0, (high - low).days) if high >= low else plus(rng, today, 14, 28)
    else:
        day = due - timedelta(days=rng.randint(20, 75))
        if chance(rng, rates.REVIEW_SLIPS):
            day += timedelta(days=rng.randint(14, 100))
    return work(cal, max(day, soonest), floor=today + timedelta(days=14))


def _before_meeting(sim: Sim, case: CaseSim, scheduled: date, meeting: date) -> list[Item]:
    """Reg 20(3)-(4): invitations and advice at least two weeks before the meeting."""
    cal, rng = sim.svc.config.calendar, case.rng
    items = []
    for kind, p in (
        ("review_invitations_sent", rates.INVITATIONS_ON_TIME),
        ("review_advice_circulated", rates.ADVICE_CIRCULATED_ON_TIME),
    ):
        ahead = rng.randint(14, 28) if chance(rng, p) else rng.randint(1, 13)
        items.append(Item(work(cal, meeting - timedelta(days=ahead), floor=scheduled), kind))
    return items


def _meeting_data(case: CaseSim) -> dict[str, Any]:
    rng = case.rng
    who = ["parent", "setting"] + [p for p in PARTICIPANTS if p not in ("parent", "setting")
                                   and chance(rng, 0.5)]  # fmt: skip
    data: dict[str, Any] = {"participants": who}
    if chance(rng, 0.5):
        rating = pick(rng, {"achieved": 0.2, "on_track": 0.45, "partly": 0.25, "not_yet": 0.1})
        data["outcome_progress"] = [{"outcome": "Communication and interaction", "rating": rating}]
    return data


def _decision_items(
    sim: Sim, case: CaseSim, decided: date, transfer: TransferDue | None
) -> list[Item]:
    assert case.child is not None
    rng = case.rng
    age = people.age_on(case.child.date_of_birth, decided)
    if transfer is not None:
        return _amend_items(sim, case, decided, transfer)
    ceases = next(p for top, p in rates.REVIEW_CEASES if age <= top)
    roll = rng.random()
    if roll < ceases:
        reasons = rates.CEASE_REASONS_UNDER_16 if age < 16 else rates.CEASE_REASONS_16_PLUS
        reason = pick(rng, reasons)
        reason = 2 if reason == 3 and age < 18 else reason
        data = {"outcome": "cease", "reasons": "Needs met or moving on; see SEN2 reason."}
        return [
            Item(decided, "review_decision_notified", data),
            Item(decided, "@cease", {"reason": reason}),
            Item(decided, "@next_review"),
        ]
    if roll < ceases + rates.REVIEW_AMENDS:
        return _amend_items(sim, case, decided, None)
    return [
        Item(decided, "review_decision_notified", {"outcome": "maintain"}),
        Item(decided, "@dispute"),
        Item(decided, "@next_review"),
    ]


def _amend_items(
    sim: Sim, case: CaseSim, decided: date, transfer: TransferDue | None
) -> list[Item]:
    """Reg 22: the proposed amendments go with the decision; the amended plan within 8 weeks
    (and, in a transfer year, before the Reg 18(1) long-stop)."""
    cal, rng = sim.svc.config.calendar, case.rng
    text = rng.choice(AMENDMENTS)
    issue: dict[str, Any] = {"named_setting": case.named_setting or "Setting (fictional)"}
    if transfer is not None:
        text = f"Section I: name the setting for the move in September. {text}"
        issue = {"named_setting": people.next_setting(rng, transfer.to_year)}
        issue["names_next_setting"] = True
        if chance(rng, rates.PHASE_TRANSFER_ON_TIME):
            amended = min(transfer.due_on, plus(rng, decided, 15, 56))
        else:
            amended = max(plus(rng, decided, 15, 30), plus(rng, transfer.due_on, 1, 100))
    elif chance(rng, rates.AMENDED_PLAN_ON_TIME):
        amended = plus(rng, decided, 15, 56)
    else:
        amended = decided + timedelta(days=56 + late(rng, 30, 200))
    # Reg 22(2): not before the family's 15 days to comment have run.
    amended = work(cal, amended, floor=decided + timedelta(days=COMMENT_DAYS))
    data = {"outcome": "amend", "proposed_amendments": text}
    items = [Item(decided, "review_decision_notified", data)]
    if chance(rng, rates.AMENDMENT_REPRESENTATIONS):
        items.append(
            Item(min(amended, plus(rng, decided, 3, 14)), "amendment_representations_received")
        )
    items.append(Item(amended, "amended_plan_issued", issue))
    return [*items, Item(amended, "@dispute"), Item(amended, "@next_review")]

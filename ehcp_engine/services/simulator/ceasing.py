"""Acts between reviews: ceasing (Act s.45; Regs 29-31), reassessment (Regs 24-27) and a move
to another authority (Reg 15)."""

from __future__ import annotations

from datetime import date, timedelta

from ehcp_engine.services.simulator import people, rates
from ehcp_engine.services.simulator.agenda import chance, late, pick, plus, work
from ehcp_engine.services.simulator.world import CaseSim, Item, Sim


def cease_items(sim: Sim, case: CaseSim, start: date, when: str) -> list[Item]:
    """Consider ceasing, decide with appeal rights, and cease once the window has run."""
    cal, rng = sim.svc.config.calendar, case.rng
    reason = {"reason": case.cease_reason}
    decided = work(cal, plus(rng, start, 14, 42), floor=start)
    window = cal.tribunal_last_day(cal.add_months(decided, 2))
    return [
        Item(start, "cease_proposed", reason, when=when),
        Item(decided, "cease_decided", reason),
        Item(decided, "@dispute"),
        Item(plus(rng, window, 1, 21), "@cease_final"),
    ]


def cease(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """A review (or a change of circumstances) leads the authority to consider ceasing."""
    if "cease" in case.threads:
        return []
    case.cease_reason = int(item.data["reason"])
    start = work(sim.svc.config.calendar, plus(case.rng, sim.today, 0, 10), floor=sim.today)
    sim.start(case, "cease", cease_items(sim, case, start, "cease_start"))
    return []


def cease_final(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """Act s.45; Reg 31: the plan ceases only when the appeal window has closed unappealed, or
    the appeal has been decided; meanwhile keep waiting."""
    if case.plan != "cease_decided" or case.cease_seq is None:
        return []
    window = case.windows.get(case.cease_seq, sim.today)
    if window >= sim.today or case.appeal_live or case.dispute == case.cease_seq:
        later = max(window + timedelta(days=1), sim.today + timedelta(days=14))
        return [Item(later, "@cease_final")]
    sim.record(case, "plan_ceased", {"reason": case.cease_reason})
    return []


def cease_now(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """A cease appeal dismissed: the plan ceases (if it has not already)."""
    if case.plan == "cease_decided":
        sim.record(case, "plan_ceased", {"reason": case.cease_reason})
    return []


def maybe_interim(sim: Sim, case: CaseSim, years: float) -> None:
    """At most one interim act per cycle: a reassessment, a move out, or a cease."""
    rng = case.rng
    roll = rng.random()
    if "interim" in case.threads:
        return
    day = work(sim.svc.config.calendar, plus(rng, sim.today, 30, 150), floor=sim.today)
    odds = (
        ("reassess", rates.REASSESSMENTS_PER_YEAR * years),
        ("move", rates.TRANSFERS_OUT_PER_YEAR * years),
        ("cease", rates.CEASES_OUTSIDE_REVIEW_PER_YEAR * years),
    )
    for kind, p in odds:
        if roll < p:
            sim.start(case, "interim", _interim(sim, case, kind, day))
            return
        roll -= p


def _interim(sim: Sim, case: CaseSim, kind: str, day: date) -> list[Item]:
    if kind == "reassess":
        return reassessment_items(sim, case, day, "quiet")
    if kind == "move":
        return move_items(sim, case, day)
    reason = pick(case.rng, rates.CEASE_REASONS_OUTSIDE_REVIEW)
    return [Item(day, "@cease", {"reason": reason}, when="quiet")]


def reassessment_items(sim: Sim, case: CaseSim, day: date, when: str) -> list[Item]:
    """Reg 25: a decision within 15 days; Reg 27: the plan within 14 weeks of agreeing."""
    cal, rng = sim.svc.config.calendar, case.rng
    on_time = chance(rng, rates.REASSESSMENT_DECISION_ON_TIME)
    decided = work(cal, plus(rng, day, 3, 15) if on_time else plus(rng, day, 16, 40), floor=day)
    items = [Item(day, "reassessment_requested", when=when)]
    if not chance(rng, rates.REASSESSMENT_AGREED):
        reasons = {"reasons": "The current plan still describes the needs and provision."}
        return [*items, Item(decided, "reassessment_refused", reasons), Item(decided, "@dispute")]
    if chance(rng, rates.REASSESSMENT_PLAN_ON_TIME):
        issued = plus(rng, decided, 40, 98)
    else:
        issued = decided + timedelta(days=98 + late(rng, 40, 200))
    issued = work(cal, issued, floor=decided + timedelta(days=1))
    setting = {"named_setting": case.named_setting or "Setting (fictional)"}
    return [
        *items,
        Item(decided, "reassessment_agreed"),
        Item(issued, "amended_plan_issued", setting, when="reassessed"),
        Item(issued, "@dispute"),
    ]


def move_items(sim: Sim, case: CaseSim, day: date) -> list[Item]:
    """Reg 15(2): the plan goes to the new authority on the day of the move (with 15 working
    days' notice) or within 15 working days."""
    cal, rng = sim.svc.config.calendar, case.rng
    to_la = people.other_authority(rng)
    moves = plus(rng, day, 10, 60)
    notice_end = cal.add_working_days(day, 15)
    due = moves if moves >= notice_end else notice_end
    if chance(rng, rates.TRANSFER_NOTICE_ON_TIME):
        sent = work(cal, due - timedelta(days=rng.randint(0, 5)), floor=day)
    else:
        sent = work(cal, plus(rng, due, 1, 30), floor=due + timedelta(days=1))
    data = {"to_la": to_la, "moves_on": moves.isoformat()}
    return [
        Item(day, "plan_transfer_notified", data, when="quiet"),
        Item(sent, "plan_transferred_out", {"to_la": to_la}, when="moving"),
    ]

"""Disagreement: mediation and appeals against appealable decisions, the tribunal's orders and
the authority's compliance (Act s.51; Regs 32-45; HESC rules).

A family disputes a decision with a probability set so that appeals are registered against about
rates.APPEAL_RATE of appealable decisions; a case has at most one dispute live at a time.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ehcp_engine.services.simulator import rates
from ehcp_engine.services.simulator.agenda import chance, ordered, pick, plus, work
from ehcp_engine.services.simulator.journey import consultation_items
from ehcp_engine.services.simulator.world import CaseSim, Item, Sim

APPEAL_TYPES = {
    "assessment_refused": "refusal_to_assess",
    "plan_refused": "refusal_to_issue",
    "reassessment_refused": "refusal_to_reassess",
    "review_decision_notified": "refusal_to_amend",
    "cease_decided": "ceasing",
}
REMEDY = {
    "refusal_to_assess": "assess",
    "refusal_to_issue": "make_plan",
    "contents": "amend",
    "setting_only": "name_setting",
    "refusal_to_reassess": "assess",
    "refusal_to_amend": "amend",
    "ceasing": "continue",
}


def _appeals_per_dispute() -> float:
    """The share of disputes (not setting-only) that end in an appeal, from the rates."""
    held = 1 - rates.MEDIATION_NOT_POSSIBLE
    settled = rates.MEDIATION_AGREEMENT["full"]
    wants = rates.WANTS_MEDIATION
    keep_going = wants * (1 - held * settled) + (1 - wants)
    return keep_going * rates.APPEAL_AFTER_CERTIFICATE


APPEALS_PER_DISPUTE = _appeals_per_dispute()


def dispute(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """Perhaps dispute the case's latest appealable decision (if no other dispute is live)."""
    seq = case.last_appealable
    if seq is None or case.dispute is not None or case.plan == "ended":
        return []
    kind, day = case.decisions[seq]
    if day != sim.today or not chance(
        case.rng, rates.appeal_probability(kind) / APPEALS_PER_DISPUTE
    ):
        return []
    appeal_type = APPEAL_TYPES.get(kind)
    if appeal_type is None:
        appeal_type = "setting_only" if chance(case.rng, rates.SETTING_ONLY_APPEALS) else "contents"
    case.dispute = seq
    sim.start(case, f"dispute-{seq}", dispute_items(sim, case, seq, appeal_type))
    return []


def dispute_items(sim: Sim, case: CaseSim, seq: int, appeal_type: str) -> list[Item]:
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    window = case.windows[seq]
    if appeal_type == "setting_only":  # HESC r.20: no mediation certificate needed
        registered = min(window, plus(rng, today, 14, 50))
        return [
            _registered(registered, appeal_type, seq),
            *tribunal_items(sim, case, registered, appeal_type, seq),
        ]
    items, certificate, settled = mediation_items(sim, case, seq)
    if (settled and appeal_type != "ceasing") or not chance(rng, rates.APPEAL_AFTER_CERTIFICATE):
        return [*items, Item(certificate, "@dispute_end")]
    decided = case.decisions[seq][1]
    later = max(cal.add_months(decided, 2), cal.add_months(certificate, 1))
    registered = min(cal.tribunal_last_day(later), plus(rng, certificate, 5, 28))
    items.append(_registered(registered, appeal_type, seq))
    return ordered(items + tribunal_items(sim, case, registered, appeal_type, seq))


def _registered(day: date, appeal_type: str, seq: int) -> Item:
    return Item(day, "appeal_registered", {"appeal_type": appeal_type, "decision_seq": seq})


def mediation_items(sim: Sim, case: CaseSim, seq: int) -> tuple[list[Item], date, bool]:
    """Regs 33-39: contact the adviser; mediation (if wanted) within 30 days; a certificate
    within 3 working days. Returns the items, the certificate's day and whether it settled."""
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    contact = plus(rng, today, 7, 45)
    wants = chance(rng, rates.WANTS_MEDIATION)
    ref = {"decision_seq": seq}
    data = {"wants_mediation": wants, **ref}
    items = [Item(contact, "mediation_adviser_contacted", data)]
    ended, agreement = contact, "none"
    if wants and chance(rng, rates.MEDIATION_NOT_POSSIBLE):
        ended = work(cal, plus(rng, contact, 5, 20), floor=contact)
        items.append(Item(ended, "mediation_not_possible", ref))
    elif wants:
        on_time = chance(rng, 0.85)
        ended = plus(rng, contact, 10, 30) if on_time else plus(rng, contact, 31, 50)
        agreement = pick(rng, rates.MEDIATION_AGREEMENT)
        items.append(Item(ended, "mediation_meeting_held", {**ref, "agreement": agreement}))
        if agreement == "non_appealable":
            done = work(cal, plus(rng, ended, 3, 14), floor=ended)
            items.append(Item(done, "mediation_agreement_done", ref))
    days = rng.randint(1, 3) if chance(rng, 0.9) else rng.randint(4, 10)
    certificate = cal.add_working_days(ended, days)
    items.append(Item(certificate, "mediation_certificate_issued", ref))
    return sorted(items, key=lambda i: i.day), certificate, agreement == "full"


def tribunal_items(
    sim: Sim, case: CaseSim, registered: date, appeal_type: str, seq: int
) -> list[Item]:
    """The response, then a withdrawal, a concession or an order, months later."""
    cal, rng = sim.svc.config.calendar, case.rng
    days = (
        rng.randint(15, 30) if chance(rng, rates.TRIBUNAL_RESPONSE_ON_TIME) else rng.randint(31, 45)
    )
    response = cal.add_working_days(registered, days)
    outcome = pick(rng, rates.TRIBUNAL_OUTCOMES)
    decided = work(cal, plus(rng, registered, 140, 300), floor=response)
    ref = {"decision_seq": seq}
    items = [Item(response, "tribunal_response_lodged", ref)]
    if outcome == "withdrawn":
        return [*items, Item(decided, "appeal_withdrawn", ref), Item(decided, "@dispute_end")]
    order = REMEDY[appeal_type]
    if outcome == "conceded":
        return [
            *items,
            Item(decided, "appeal_conceded", {**ref, "order": order}),
            Item(decided, "@dispute_end"),
            Item(decided, "@comply", {**ref, "order": order, "appeal_type": appeal_type}),
        ]
    if not chance(rng, rates.ORDER_FOR_FAMILY):
        order = "cease" if appeal_type == "ceasing" else "dismissed"
    items += [
        Item(decided, "tribunal_order_made", {**ref, "order": order}),
        Item(decided, "@dispute_end"),
    ]
    after = decided
    if chance(rng, rates.RECOMMENDATION):
        after = work(cal, plus(rng, decided, 7, 35), floor=decided)
        items += [
            Item(decided, "tribunal_order_made", {**ref, "order": "recommendation"}),
            Item(after, "recommendation_responded", ref),
        ]
    return [*items, Item(after, "@comply", {**ref, "order": order, "appeal_type": appeal_type})]


def dispute_end(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    case.dispute = None
    return []


def comply(sim: Sim, case: CaseSim, item: Item) -> list[Item]:
    """Reg 44 (or Reg 45 for a concession): do what was ordered, then record compliance."""
    order, appeal_type = str(item.data["order"]), str(item.data["appeal_type"])
    if order in ("dismissed", "recommendation"):
        return []
    ref = {"decision_seq": int(item.data["decision_seq"])}
    items = compliance_items(sim, case, order, appeal_type, ref)
    sim.start(case, f"comply-{ref['decision_seq']}", items)
    return []


def compliance_items(
    sim: Sim, case: CaseSim, order: str, appeal_type: str, ref: dict[str, int]
) -> list[Item]:
    cal, rng, today = sim.svc.config.calendar, case.rng, sim.today
    on_time = chance(rng, rates.ORDER_COMPLIED_ON_TIME)
    if order == "continue":
        return [Item(today, "order_complied", ref)]
    if order == "cease":
        return [Item(today, "@cease_now"), Item(today, "order_complied", ref)]
    if order in ("amend", "name_setting"):
        limit = 35 if order == "amend" else 14
        day = work(
            cal, plus(rng, today, 3, limit) if on_time else plus(rng, today, limit + 1, 70), today
        )
        setting: dict[str, Any] = {"named_setting": case.named_setting or "Setting (fictional)"}
        return [
            Item(day, "amended_plan_issued", setting, when="can_amend"),
            Item(day, "order_complied", ref),
        ]
    start = work(cal, plus(rng, today, 1, 10), floor=today)
    if appeal_type == "refusal_to_reassess":
        return _reassess(sim, case, start, ref)
    return _new_journey(sim, case, order, start, ref)


def _reassess(sim: Sim, case: CaseSim, start: date, ref: dict[str, int]) -> list[Item]:
    """Ordered to reassess: the order reopened the request for reassessment; agree it now and
    issue the plan within 14 weeks of the order (Reg 44(2)(b))."""
    cal, rng = sim.svc.config.calendar, case.rng
    if chance(rng, rates.ORDER_COMPLIED_ON_TIME):
        issued = plus(rng, start, 40, 90)
    else:
        issued = plus(rng, start, 99, 160)
    setting = {"named_setting": case.named_setting or "Setting (fictional)"}
    issued = work(cal, issued, floor=start + timedelta(days=1))
    return [
        Item(start, "reassessment_agreed", when="reassess_ordered"),
        Item(start, "order_complied", ref),
        Item(issued, "amended_plan_issued", setting, when="reassessed"),
    ]


def _new_journey(
    sim: Sim, case: CaseSim, order: str, start: date, ref: dict[str, int]
) -> list[Item]:
    """Ordered to assess (the order reopened the request) or to make a plan (it reopened the
    assessment with a draft to serve)."""
    cal, rng = sim.svc.config.calendar, case.rng
    if order == "assess":
        return [
            Item(start, "assessment_agreed", when="no_plan"),
            Item(start, "order_complied", ref),
            Item(start, "@assessment", {"forced": "issue"}),
        ]
    draft = work(cal, plus(rng, start, 7, 30), floor=start + timedelta(days=1))
    final = work(cal, plus(rng, draft, 15, 40), floor=draft + timedelta(days=15))
    named = case.named_setting or "Setting (fictional)"
    return [
        Item(draft, "draft_plan_served", when="no_plan"),
        *sorted(consultation_items(rng, cal, draft, final, named), key=lambda i: i.day),
        Item(final, "final_plan_issued", {"named_setting": named}),
        Item(final, "order_complied", ref),
        Item(final, "@plan_life"),
    ]

"""Fold one case's log into measure facts: the request journey and the plan's life.

Dates come from the log (corrections applied, `audit.measures.history`); due dates from the case's
rule set and the statutory calendar, as the live deadlines do, so a measure taken from the log
agrees with the deadlines the officers see. Disagreements and tribunal orders are in
`audit.measures.fold_disputes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from audit.measures import facts as k
from audit.measures import fold_disputes
from audit.measures.facts import CaseInfo, Fact, FoldContext
from audit.measures.fold_state import CaseFold, Journey
from audit.measures.history import Event
from ehcp_engine.domain.calendar import national_curriculum_year

Handler = Callable[[CaseFold, Event], None]
# Timers whose deadline an exception may name by "timer@started_by" (see fold_state.index).
EXCEPTION_TIMERS = (k.ASSESSMENT_DECISION, k.NO_PLAN, k.FINAL_PLAN)


def _request_received(f: CaseFold, ev: Event) -> None:
    on = ev.occurred_on
    request = f.add(
        k.REQUEST,
        f"request@{ev.seq}",
        start_on=on,
        attrs={
            "seq": ev.seq,
            "source": ev.data.get("source"),
            "request_outcomes": [],
            "assessment_outcomes": [],
        },
    )
    f.journey = Journey(ev.seq, on, request.key)
    for timer in (k.ASSESSMENT_DECISION, k.FINAL_PLAN):
        f.add(
            timer,
            f"{timer}@{ev.seq}",
            timer=timer,
            started_by=ev.seq,
            start_on=on,
            due_on=f.due(timer, on),
            attrs={"request_seq": ev.seq},
        )


def _set_request(f: CaseFold, **attrs: object) -> None:
    request = f.request()
    if request is not None:
        request.attrs.update(attrs)


def _decided(f: CaseFold, module: str, code: str, on: date) -> None:
    """SEN2 modules 2 and 3: each decision kept with its date (a refusal may be followed by an
    order and a plan), so a return can give the outcome as it stood at any date."""
    request = f.request()
    if request is not None:
        request.attrs[f"{module}_outcomes"].append([code, on.isoformat()])


def _assessment_decided(f: CaseFold, ev: Event) -> None:
    decision = f.journey_fact(k.ASSESSMENT_DECISION)
    if decision is not None and decision.running:
        decision.meet(ev.occurred_on)
        decision.attrs["outcome"] = "agreed" if ev.type == "assessment_agreed" else "refused"
    if ev.type == "assessment_agreed" and f.journey is not None:
        _decided(f, "request", "Y", ev.occurred_on)
        f.add(
            k.NO_PLAN,
            f"{k.NO_PLAN}@{f.journey.seq}",
            timer=k.NO_PLAN,
            started_by=ev.seq,
            start_on=f.journey.received_on,
            due_on=f.due(k.NO_PLAN, f.journey.received_on),
            attrs={"request_seq": f.journey.seq},
        )
    elif ev.type == "assessment_refused":
        _decided(f, "request", "N", ev.occurred_on)
        _end(f, (k.FINAL_PLAN,), ev.occurred_on)
        f.decide(ev)


def _end(f: CaseFold, kinds: Iterable[str], on: date) -> None:
    for kind in kinds:
        fact = f.journey_fact(kind)
        if fact is not None:
            fact.end(on)


def _withdrawn(f: CaseFold, ev: Event) -> None:
    request = f.request()
    if request is not None:
        decided, assessed = request.attrs["request_outcomes"], request.attrs["assessment_outcomes"]
        if not decided:
            _decided(f, "request", "W", ev.occurred_on)
        elif decided[-1][0] == "Y" and not assessed:
            _decided(f, "assessment", "W", ev.occurred_on)
    _end(f, (k.ASSESSMENT_DECISION, k.NO_PLAN, k.FINAL_PLAN), ev.occurred_on)
    _end_advice(f, ev.occurred_on)


def _plan_decided(f: CaseFold, ev: Event) -> None:
    notice = f.journey_fact(k.NO_PLAN)
    if ev.type == "plan_agreed":
        _end(f, (k.NO_PLAN,), ev.occurred_on)
        return
    if notice is not None:
        notice.meet(ev.occurred_on)
    _decided(f, "assessment", "N", ev.occurred_on)
    _end(f, (k.FINAL_PLAN,), ev.occurred_on)
    _end_advice(f, ev.occurred_on)
    f.decide(ev)


def _end_advice(f: CaseFold, on: date) -> None:
    for advice in f.running(k.ADVICE):
        advice.end(on)


def _final_plan_issued(f: CaseFold, ev: Event) -> None:
    on = ev.occurred_on
    final = f.journey_fact(k.FINAL_PLAN)
    if final is not None and final.met_on is None:
        final.met_on = on
        final.attrs["issued_seq"] = ev.seq
        final.attrs["after_refusal"] = final.ended_on is not None
    setting = ev.data.get("named_setting")
    request = f.request()
    if request is not None and "issued_seq" not in request.attrs:
        _decided(f, "assessment", "Y", on)
        _set_request(f, issued_seq=ev.seq, named_setting=setting)
    _end_advice(f, on)
    _issue(f, ev, "final")
    _open_plan(f, ev, {"named_setting": setting})
    f.decide(ev)


def _issue(f: CaseFold, ev: Event, kind: str) -> None:
    """Every plan issued (final or amended): the unit of QA sampling."""
    f.add(
        k.PLAN_ISSUE,
        f"{k.PLAN_ISSUE}@{ev.seq}",
        start_on=ev.occurred_on,
        met_on=ev.occurred_on,
        attrs={"seq": ev.seq, "issue": kind, "request_seq": f.journey.seq if f.journey else None},
    )


def _open_plan(f: CaseFold, ev: Event, attrs: dict[str, object]) -> None:
    on = ev.occurred_on
    plan = f.add(k.PLAN, f"{k.PLAN}@{ev.seq}", start_on=on, attrs={"seq": ev.seq, **attrs})
    f.plan_key = plan.key
    if ev.type == "plan_transferred_in":
        _transfer_review(f, ev)
    else:
        _annual_review(f, ev)
    for t in f.ctx.transfers(f.case, on):
        f.add(
            k.PHASE_TRANSFER,
            f"{k.PHASE_TRANSFER}.{t.kind}@{ev.seq}",
            start_on=t.starts_on,
            due_on=t.due_on,
            attrs={
                "transfer": t.kind,
                "from_year": t.from_year,
                "transfer_on": t.transfer_on.isoformat(),
                "plan_seq": ev.seq,
            },
        )


def _annual_review(f: CaseFold, ev: Event) -> None:
    """Act s.44(1): within 12 months of the plan's issue, then of the last review decision."""
    on = ev.occurred_on
    cycle = f.add(
        k.ANNUAL_REVIEW,
        f"{k.ANNUAL_REVIEW}@{ev.seq}",
        timer=k.ANNUAL_REVIEW,
        started_by=ev.seq,
        start_on=on,
        due_on=f.due(k.ANNUAL_REVIEW, on),
        attrs={"plan": f.plan_key},
    )
    f.review_cycle = cycle.key


def _transfer_review(f: CaseFold, ev: Event) -> None:
    """Reg 15(5): the first review after a transfer in is due by the later of 12 months from the
    last review (or the plan's issue) and 3 months from the transfer."""
    cal, on = f.ctx.calendar, ev.occurred_on
    last = ev.data.get("last_review_on") or ev.data.get("plan_issued_on")
    due = cal.add_months(on, 3)
    if last:
        due = max(due, cal.add_months(date.fromisoformat(str(last)), 12))
    cycle = f.add(
        k.ANNUAL_REVIEW,
        f"{k.ANNUAL_REVIEW}@{ev.seq}",
        timer="transfer_review",
        started_by=ev.seq,
        start_on=on,
        due_on=due,
        attrs={"plan": f.plan_key, "transfer_in": True},
    )
    f.review_cycle = cycle.key


def _transferred_in(f: CaseFold, ev: Event) -> None:
    attrs = {
        "transferred_in": True,
        "from_la": ev.data.get("from_la"),
        "plan_issued_on": ev.data.get("plan_issued_on"),
        "last_review_on": ev.data.get("last_review_on"),
    }
    _open_plan(f, ev, attrs)


def _young_person(f: CaseFold, on: date) -> bool:
    """Over compulsory school age: in national curriculum Year 12 or later."""
    year = national_curriculum_year(f.case.date_of_birth, on) + f.case.year_group_offset
    return year >= 12


def _meeting_held(f: CaseFold, ev: Event) -> None:
    on = ev.occurred_on
    progress = [[str(p["outcome"]), str(p["rating"])] for p in ev.data.get("outcome_progress", [])]
    review = f.add(
        k.REVIEW,
        f"{k.REVIEW}@{ev.seq}",
        start_on=on,
        due_on=f.due("review_decision", on),
        attrs={
            "seq": ev.seq,
            "participants": sorted(set(ev.data.get("participants", []))),
            "young_person": _young_person(f, on),
            "progress": progress,
            "plan": f.plan_key,
        },
    )
    f.meeting = review.key


def _review_decided(f: CaseFold, ev: Event) -> None:
    on, outcome = ev.occurred_on, str(ev.data.get("outcome"))
    review = f.get(f.meeting)
    if review is not None and review.meet(on):
        review.attrs["outcome"] = outcome
        review.attrs["decision_seq"] = ev.seq
    cycle = f.get(f.review_cycle)
    if cycle is not None and cycle.start_on is not None and cycle.start_on <= on:
        cycle.meet(on)
    f.meeting = None
    if f.plan_key is not None:
        _annual_review(f, ev)
    if outcome == "amend":
        amend = f.add(
            k.AMENDED_PLAN,
            f"{k.AMENDED_PLAN}@{ev.seq}",
            start_on=on,
            due_on=f.due("amended_plan", on),
            attrs={"decision_seq": ev.seq},
        )
        f.amending = amend.key
    elif outcome == "maintain":
        f.decide(ev)


def _amended_plan_issued(f: CaseFold, ev: Event) -> None:
    on = ev.occurred_on
    amend = f.get(f.amending)
    if amend is not None and amend.meet(on):
        amend.attrs["issued_seq"] = ev.seq
    f.amending = None
    plan = f.get(f.plan_key)
    if plan is not None and ev.data.get("named_setting"):
        plan.attrs["named_setting"] = ev.data["named_setting"]
    for transfer in f.running(k.PHASE_TRANSFER):
        post16 = transfer.attrs.get("transfer") == "post16_move"
        names = bool(ev.data.get("names_next_setting"))
        if transfer.start_on is not None and transfer.start_on <= on and (post16 or names):
            transfer.meet(on)
    _issue(f, ev, "amended")
    f.decide(ev)


def _plan_ended(f: CaseFold, ev: Event) -> None:
    on = ev.occurred_on
    plan = f.get(f.plan_key)
    if plan is not None:
        plan.end(on)
        plan.attrs["ended_by"] = ev.type
        if ev.type == "plan_ceased":
            plan.attrs["cease_reason"] = ev.data.get("reason")
        else:
            plan.attrs["to_la"] = ev.data.get("to_la")
    for kind in (k.ANNUAL_REVIEW, k.AMENDED_PLAN, k.PHASE_TRANSFER, k.REVIEW):
        for fact in f.running(kind):
            fact.end(on)
    f.plan_key = f.review_cycle = f.amending = f.meeting = None


def _post16_move(f: CaseFold, ev: Event) -> None:
    """Reg 18(2): the amended plan naming a new post-16 institution at least 5 months before
    the move (counted as the engine's `post16_transfer` timer counts it)."""
    moves_on = date.fromisoformat(str(ev.data["moves_on"]))
    due = f.due("post16_transfer", moves_on)
    f.add(
        k.PHASE_TRANSFER,
        f"{k.PHASE_TRANSFER}.post16_move@{ev.seq}",
        start_on=ev.occurred_on,
        due_on=due,
        attrs={"transfer": "post16_move", "from_year": 13, "transfer_on": moves_on.isoformat()},
    )


def _advice_requested(f: CaseFold, ev: Event) -> None:
    received = ev.data.get("received_by_contributor_on")
    start = date.fromisoformat(str(received)) if received else ev.occurred_on
    f.add(
        k.ADVICE,
        f"{k.ADVICE}@{ev.seq}",
        timer=k.ADVICE,
        started_by=ev.seq,
        start_on=start,
        due_on=f.due(k.ADVICE, start),
        attrs={
            "contributor": ev.data.get("contributor"),
            "advice_type": ev.data.get("advice_type"),
            "requested_on": ev.occurred_on.isoformat(),
            "request_seq": f.journey.seq if f.journey else None,
        },
    )


def _advice_received(f: CaseFold, ev: Event) -> None:
    key = ev.data.get("advice_request_key")
    if key:
        target = f.get(f"{k.ADVICE}@{str(key).removeprefix('advice-')}")
    else:
        kind = ev.data.get("advice_type")
        open_ = [a for a in f.drafts.values() if a.kind == k.ADVICE and a.met_on is None]
        matching = [a for a in open_ if a.attrs.get("advice_type") == kind]
        target = matching[0] if len(matching) == 1 else None
    if target is not None and target.met_on is None:
        target.met_on = ev.occurred_on


def _exception(f: CaseFold, ev: Event) -> None:
    """STATUTORY §2: mark the fact of the deadline the exception names (Week20 when it is the
    final plan's), by the stable key the write path resolved, or by the timer's latest."""
    ref = ev.data.get("deadline_key")
    key = f.index.get(str(ref)) if ref else f.latest.get(str(ev.data.get("rule")))
    fact = f.get(key)
    if fact is not None:
        fact.exception = True
        fact.attrs["exception_ground"] = ev.data.get("ground")


HANDLERS: dict[str, Handler] = {
    "request_received": _request_received,
    "assessment_agreed": _assessment_decided,
    "assessment_refused": _assessment_decided,
    "request_withdrawn": _withdrawn,
    "plan_agreed": _plan_decided,
    "plan_refused": _plan_decided,
    "final_plan_issued": _final_plan_issued,
    "plan_transferred_in": _transferred_in,
    "review_meeting_held": _meeting_held,
    "review_decision_notified": _review_decided,
    "amended_plan_issued": _amended_plan_issued,
    "plan_ceased": _plan_ended,
    "plan_transferred_out": _plan_ended,
    "post16_move_proposed": _post16_move,
    "advice_requested": _advice_requested,
    "advice_received": _advice_received,
    "exception_recorded": _exception,
    **fold_disputes.HANDLERS,
}


def fold_case(case: CaseInfo, events: Iterable[Event], ctx: FoldContext) -> list[Fact]:
    """The facts of one case from its effective events (in the order they happened)."""
    f = CaseFold(case, ctx)
    for ev in events:
        handler = HANDLERS.get(ev.type)
        if handler is not None:
            handler(f, ev)
        fold_disputes.order_steps(f, ev)
    return f.facts()

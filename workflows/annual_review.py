"""The `annual_review` stage: one per cycle of a plan's review (Act s.44; Regs 18-22).

A cycle opens when the plan is issued, and the next one when a review decision is notified. The
meeting is scheduled (invitations and advice at least 2 weeks before it, Regs 20(3)-(4)), held,
reported within 2 weeks (Reg 20(7)) and decided within 4 weeks (Reg 20(10)). A decision to amend
is sent with the proposed amendments (R (L, M, P) v Devon CC [2022]); the family has 15 days to
comment (Reg 22(2)) and the amended plan follows within 8 weeks of the notice (Reg 22(3)).
"""

from __future__ import annotations

from workflows.machine import Context, Guard, StageSpec, T


def _outcome_is(outcome: str) -> Guard:
    return Guard(
        name=f"outcome_{outcome}",
        check=lambda ctx: ctx.event.data.get("outcome") == outcome,
        refusal=lambda ctx: f"the review outcome is not {outcome}",
    )


def _meeting_not_before_scheduling(ctx: Context) -> bool:
    return str(ctx.event.data.get("meeting_on", "")) >= ctx.event.occurred_on.isoformat()


MEETING_AHEAD = Guard(
    "meeting_not_in_the_past",
    _meeting_not_before_scheduling,
    lambda ctx: (
        f"the meeting date {ctx.event.data.get('meeting_on')} is before the day it was "
        f"scheduled ({ctx.event.occurred_on})"
    ),
)


def _comments_heard(ctx: Context) -> bool:
    """Reg 22(2)-(3): the amended plan follows the 15-day window for representations, unless
    the family has already made them."""
    window = ctx.case.deadlines.get(f"amendment_comments:{ctx.stage.key}")
    if window is None or window.status == "met":
        return True
    return ctx.event.occurred_on > window.due_on


COMMENTS_HEARD = Guard(
    "comment_window_closed",
    _comments_heard,
    lambda ctx: (
        "the family's 15-day window to comment on the proposed amendments runs until "
        f"{ctx.case.deadlines[f'amendment_comments:{ctx.stage.key}'].due_on} (Reg 22(2)) and no "
        "representations have been received: the amended plan cannot be issued yet"
    ),
)

SPEC = StageSpec(
    name="annual_review",
    states=("due", "scheduled", "held", "decided", "amending", "amended", "cancelled"),
    initial="due",
    final=("decided", "amended", "cancelled"),
    transitions=(
        # Rescheduling replaces the meeting date and its 2-week checks (effects cancel the old).
        T("review_meeting_scheduled", ("due", "scheduled"), "scheduled", (MEETING_AHEAD,)),
        T("review_invitations_sent", ("scheduled",), "scheduled"),
        T("review_advice_circulated", ("scheduled",), "scheduled"),
        T("review_meeting_held", ("due", "scheduled"), "held"),
        # The report may follow an early decision: a decided review still takes it (Reg 20(7)).
        *(T("review_report_received", (s,), s) for s in ("held", "decided", "amending", "amended")),
        T("review_decision_notified", ("held",), "amending", (_outcome_is("amend"),)),
        T("review_decision_notified", ("held",), "decided"),
        T("amendment_representations_received", ("amending",), "amending"),
        T("amended_plan_issued", ("amending",), "amended", (COMMENTS_HEARD,)),
    ),
)

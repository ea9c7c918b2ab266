"""The `plan` stage: an EHC plan in force, from the final plan's issue (or a transfer in).

Act s.37; Reg 13(2). Reassessment: a decision within 15 days of the request (Reg 25), a plan within
14 weeks of agreeing (Reg 27). Ceasing (Act s.45; Regs 29-31): the LA considers, consults, then
decides with appeal rights; the plan stays in force until the appeal window closes unappealed or
the appeal is decided. Transfers between authorities: Reg 15.
"""

from __future__ import annotations

from workflows.machine import Context, Guard, StageSpec, T


def _no_appeal_pending(ctx: Context) -> bool:
    """Act s.45; Reg 31: no ceasing while the family may still appeal, or an appeal is live."""
    windows = [
        d
        for d in ctx.case.deadlines.values()
        if d.rule == "appeal_window"
        and d.status == "open"
        and d.due_on >= ctx.event.occurred_on
        and ctx.case.facts.get("cease_decision") == d.subject_key
    ]
    return not windows and not _undecided_appeals(ctx)


def _undecided_appeals(ctx: Context) -> list[str]:
    """Appeals registered and not yet decided, withdrawn or conceded."""
    return [
        s.key
        for s in ctx.case.live_stages("tribunal")
        if s.state in ("registered", "response_lodged")
    ]


def _why_not_cease(ctx: Context) -> str:
    if _undecided_appeals(ctx):
        return "an appeal is live: the plan cannot cease until the tribunal decides"
    return (
        "the family's window to appeal the decision to cease is still open: the plan stays in "
        "force until it closes unappealed (Act s.45; Reg 31)"
    )


NO_APPEAL_PENDING = Guard("no_appeal_pending", _no_appeal_pending, _why_not_cease)

SPEC = StageSpec(
    name="plan",
    states=(
        "maintained",
        "reassessment_requested",
        "reassessing",
        "ceasing",
        "cease_decided",
        "ceased",
        "transferred_out",
    ),
    initial="maintained",
    final=("ceased", "transferred_out"),
    transitions=(
        T("reassessment_requested", ("maintained",), "reassessment_requested"),
        T("reassessment_agreed", ("reassessment_requested",), "reassessing"),
        T("reassessment_refused", ("reassessment_requested",), "maintained"),
        # An amended plan outside an annual review: after reassessment, or to comply with an order.
        T("amended_plan_issued", ("reassessing", "maintained"), "maintained"),
        T("cease_proposed", ("maintained",), "ceasing"),
        T("cease_decided", ("maintained", "ceasing"), "cease_decided"),
        T("plan_ceased", ("cease_decided",), "ceased", (NO_APPEAL_PENDING,)),
        T(
            "transfer_notice_sent",
            ("maintained", "reassessment_requested", "reassessing"),
            "maintained",
        ),
        T("plan_transfer_notified", ("maintained",), "maintained"),
        T("plan_transferred_out", ("maintained",), "transferred_out"),
        T("post16_move_proposed", ("maintained",), "maintained"),
    ),
)

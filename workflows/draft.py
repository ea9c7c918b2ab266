"""The `draft` stage: draft plan served, the family's comments, settings consulted, final plan.

Regs 12–14; Act ss.38–39. The parent or young person has 15 days beginning with service of the
draft to comment and ask for a setting (Reg 13(1)); the LA may not finalise before that window
closes unless they have already responded. The LA consults any setting it may name (s.39(2)) and
issues the final plan within 20 weeks of the request (Reg 13(2)).
"""

from __future__ import annotations

from workflows.machine import Context, Guard, StageSpec, T


def _comment_window_closed(ctx: Context) -> bool:
    """Reg 13(1): no final plan inside the 15-day window unless representations were made."""
    window = ctx.case.deadlines.get(f"draft_comments:{ctx.stage.key}")
    if window is None or window.status == "met":
        return True
    return ctx.event.occurred_on > window.due_on


def _window_refusal(ctx: Context) -> str:
    window = ctx.case.deadlines[f"draft_comments:{ctx.stage.key}"]
    return (
        f"the family's 15-day window to comment on the draft runs until {window.due_on} "
        "(Reg 13(1)) and no representations have been received: the final plan cannot be "
        f"issued on {ctx.event.occurred_on}"
    )


COMMENT_WINDOW_CLOSED = Guard("comment_window_closed", _comment_window_closed, _window_refusal)
_OPEN = ("drafting", "comments_window", "settings_consulted", "ready")

SPEC = StageSpec(
    name="draft",
    states=(
        "drafting",
        "comments_window",
        "settings_consulted",
        "ready",
        "final_issued",
        "withdrawn",
    ),
    initial="drafting",
    final=("final_issued", "withdrawn"),
    transitions=(
        T("draft_plan_served", ("drafting",), "comments_window"),
        T("representations_received", ("comments_window",), "ready"),
        T("representations_received", ("settings_consulted",), "settings_consulted"),
        T(
            "setting_consulted",
            ("comments_window", "ready", "settings_consulted"),
            "settings_consulted",
        ),
        T("setting_responded", ("settings_consulted",), "settings_consulted"),
        T(
            "final_plan_issued",
            ("comments_window", "ready", "settings_consulted"),
            "final_issued",
            (COMMENT_WINDOW_CLOSED,),
        ),
        T("request_withdrawn", _OPEN, "withdrawn"),
        # Late advice is still recorded while the plan is drafted (for Section K).
        *(T("advice_received", (state,), state) for state in _OPEN),
    ),
)

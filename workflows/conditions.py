"""Conditions a timer rule may put on its start (`when` in config/rules/*.toml).

Each is a pure predicate on the case before the event and the event itself.
"""

from __future__ import annotations

from collections.abc import Callable

from ehcp_engine.domain.case import CaseState, RecordedEvent
from ehcp_engine.domain.rules import CONDITIONS as DECLARED

Condition = Callable[[CaseState, RecordedEvent], bool]

# Act s.51(2): the decisions a parent or young person may appeal. A review that decides to
# maintain the plan unchanged is a refusal to amend; a review that decides to cease leads to a
# cease decision (its own appealable notice), and `amend` leads to an amended plan.
_APPEALABLE_ALWAYS = frozenset(
    {
        "assessment_refused",
        "plan_refused",
        "final_plan_issued",
        "amended_plan_issued",
        "reassessment_refused",
        "cease_decided",
    }
)


def child_under_5(case: CaseState, ev: RecordedEvent) -> bool:
    dob = case.child.date_of_birth
    fifth = (
        dob.replace(year=dob.year + 5)
        if (dob.month, dob.day) != (2, 29)
        else dob.replace(year=dob.year + 5, day=28)
    )
    return ev.occurred_on < fifth


def appealable(case: CaseState, ev: RecordedEvent) -> bool:
    if ev.type in _APPEALABLE_ALWAYS:
        return True
    return ev.type == "review_decision_notified" and ev.data.get("outcome") == "maintain"


def _data_is(field: str, value: object) -> Condition:
    return lambda case, ev: ev.data.get(field) == value


def _order_is(order: str) -> Condition:
    return lambda case, ev: ev.data.get("order") == order


CONDITIONS: dict[str, Condition] = {
    "child_under_5": child_under_5,
    "appealable": appealable,
    "outcome_amend": _data_is("outcome", "amend"),
    "wants_mediation": _data_is("wants_mediation", True),
    "certificate_due": lambda case, ev: (
        ev.type != "mediation_adviser_contacted" or ev.data.get("wants_mediation") is False
    ),
    "non_appealable_agreement": _data_is("agreement", "non_appealable"),
    "recommendation": _order_is("recommendation"),
    "names_next_setting": _data_is("names_next_setting", True),
    **{
        name: _order_is(name.removeprefix("order_"))
        for name in (
            "order_assess",
            "order_make_plan",
            "order_amend",
            "order_name_setting",
            "order_continue",
            "order_cease",
        )
    },
}

assert set(CONDITIONS) == DECLARED, "every declared condition is implemented, and no other"

"""The `tribunal` stage: one per appeal, attached to the decision it disputes.

Act s.51; HESC rules. The LA responds (30 working days under the tribunal's standard directions,
guidance). Orders carry the Reg 44 compliance periods; an appeal the LA does not oppose carries
the same periods from its notice (Reg 45). Health and social care recommendations are answered in
5 weeks (SI 2017/1306).
"""

from __future__ import annotations

from workflows.machine import StageSpec, T

_OPEN = ("registered", "response_lodged")

SPEC = StageSpec(
    name="tribunal",
    states=("registered", "response_lodged", "ordered", "conceded", "withdrawn", "complied"),
    initial="registered",
    final=("withdrawn", "complied"),
    transitions=(
        T("tribunal_response_lodged", ("registered",), "response_lodged"),
        T("tribunal_order_made", (*_OPEN, "ordered"), "ordered"),
        T("appeal_conceded", _OPEN, "conceded"),
        T("appeal_withdrawn", _OPEN, "withdrawn"),
        T("recommendation_responded", ("ordered",), "ordered"),
        T("order_complied", ("ordered", "conceded"), "complied"),
    ),
)

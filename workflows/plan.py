"""The `plan` stage: an EHC plan in force, from the final plan's issue.

Act s.37; Reg 13(2). The engine core opens it in `maintained` when the final plan is issued;
reviews, amendments, reassessment, transfers and ceasing move it later (Act ss.44–45; Regs 18–31).
"""

from __future__ import annotations

from workflows.machine import StageSpec

SPEC = StageSpec(
    name="plan",
    states=("maintained", "ceased", "transferred_out"),
    initial="maintained",
    final=("ceased", "transferred_out"),
    transitions=(),
)

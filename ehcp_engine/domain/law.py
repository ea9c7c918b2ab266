"""Everything a fold needs besides the events: the rule set, the calendar, local school structures.

Bundled so that every pure function takes one argument for "the law as this authority applies it".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ehcp_engine.domain.calendar import StatutoryCalendar
from ehcp_engine.domain.rules import RuleSet
from ehcp_engine.domain.schools import SchoolStructures


@dataclass(frozen=True)
class Law:
    rules: RuleSet
    calendar: StatutoryCalendar
    schools: SchoolStructures = field(default_factory=SchoolStructures.default)

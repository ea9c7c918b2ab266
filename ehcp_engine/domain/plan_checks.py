"""Checks an officer sees before issuing a plan: warnings, and blocks only where the law requires.

Each check names the section (and the item) at fault and says why, citing its source. The only
block is a draft that names a setting or type of setting (Act s.38(5)): the draft must leave
Section I open so the family can ask for a setting (s.38(2)(b)).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ehcp_engine.domain.plan_content import (
    SECTION_TITLES,
    SECTIONS,
    PlanContent,
    Provision,
    ReceivedAdvice,
    in_section_k,
)

# CoP 8.9: preparation for adulthood is part of every review from Year 9.
PFA_FROM_YEAR = 9
# Wording tribunals read as unspecified provision (CoP 9.69; e.g. "access to", "as required").
VAGUE = re.compile(
    r"\b(access to|as (?:and when )?(?:required|needed|appropriate)|when needed|regular(?:ly)?|"
    r"opportunit(?:y|ies)|up to|where possible|if possible)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Check:
    code: str
    section: str
    message: str
    blocking: bool = False
    item: str | None = None


def checks(
    content: PlanContent,
    *,
    year_group: int | None,
    advice_received: Sequence[ReceivedAdvice],
    kind: str = "final",
) -> list[Check]:
    """Every check that fires on this content, in section order."""
    found = [
        *_draft_names_setting(content, kind),
        *_needs_without_provision(content),
        *_outcomes_without_provision(content),
        *_pfa_outcome(content, year_group),
        *_unquantified(content),
        *_advice_missing(content, advice_received),
        *_empty_sections(content, kind),
    ]
    return sorted(found, key=lambda c: (SECTIONS.index(c.section), c.code))


def _draft_names_setting(content: PlanContent, kind: str) -> list[Check]:
    if kind != "draft" or not (content.i.setting_name or content.i.setting_type):
        return []
    return [
        Check(
            "draft_names_setting",
            "i",
            "a draft plan must not name a school or other institution, or a type of one "
            "(Act s.38(5)): clear Section I before serving the draft",
            blocking=True,
        )
    ]


def _needs_without_provision(content: PlanContent) -> list[Check]:
    served = {need for p in content.f for need in p.needs}
    return [
        Check(
            "need_without_provision",
            "b",
            f"need '{need.id}' has no provision in Section F: every need in B must be met by "
            "provision in F (Reg 12(1)(f); CoP 9.69)",
            item=need.id,
        )
        for need in content.b
        if need.id not in served
    ]


def _outcomes_without_provision(content: PlanContent) -> list[Check]:
    served = {o for _, _, p in content.provision() for o in p.outcomes}
    return [
        Check(
            "outcome_without_provision",
            "e",
            f"outcome '{o.id}' has no provision in F, G or H that works towards it (CoP 9.69)",
            item=o.id,
        )
        for o in content.e
        if o.id not in served
    ]


def _pfa_outcome(content: PlanContent, year_group: int | None) -> list[Check]:
    if year_group is None or year_group < PFA_FROM_YEAR:
        return []
    if any(o.pfa_theme for o in content.e):
        return []
    return [
        Check(
            "no_preparation_for_adulthood_outcome",
            "e",
            f"the child is in Year {year_group}: from Year 9 the plan needs outcomes preparing "
            "for adulthood (employment, independent living, community inclusion, health; "
            "CoP 8.9, 9.61)",
        )
    ]


def _unquantified(content: PlanContent) -> list[Check]:
    found = []
    for section, _, item in content.provision():
        problem = _quantity_problem(item)
        if problem:
            found.append(
                Check(
                    "provision_not_quantified",
                    section,
                    f"provision '{item.id}' {problem}: provision must be detailed, specific and "
                    "normally quantified, in hours and frequency (CoP 9.69)",
                    item=item.id,
                )
            )
    return found


def _quantity_problem(item: Provision) -> str | None:
    missing = [name for name in ("amount", "frequency") if not str(getattr(item, name)).strip()]
    if missing:
        return f"gives no {' or '.join(missing)}"
    vague = VAGUE.search(" ".join((item.what, item.amount, item.frequency)))
    if vague:
        return f"uses unspecific wording ('{vague.group(0)}')"
    return None


def _advice_missing(content: PlanContent, received: Sequence[ReceivedAdvice]) -> list[Check]:
    return [
        Check(
            "advice_missing_from_k",
            "k",
            f"{a.advice_type} advice from {a.contributor}, received {a.received_on}, is not "
            "listed in Section K (Reg 12(1)(k))",
            item=str(a.advice_request_id) if a.advice_request_id is not None else None,
        )
        for a in received
        if not in_section_k(content, a)
    ]


def _is_empty(content: PlanContent, section: str) -> bool:
    value = getattr(content, section)
    if isinstance(value, list):
        return not value
    return not any(v not in (None, "") for v in value.model_dump().values())


def _empty_sections(content: PlanContent, kind: str) -> list[Check]:
    found = []
    for section in SECTIONS:
        if section == "i" and kind == "draft":
            continue  # a draft's Section I stays empty (s.38(5))
        if _is_empty(content, section):
            found.append(
                Check(
                    "section_empty",
                    section,
                    f"Section {section.upper()} ({SECTION_TITLES[section]}) is empty: every "
                    "section of Reg 12(1) is in the plan; if there is nothing to record, say so",
                )
            )
    return found

"""The local partnerships' measures (shared/seeds) that the engine's data can answer, each
labelled with the document it comes from."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from audit.measures import facts as k
from audit.measures.facts import Fact
from audit.measures.rates import Period, Rate, by_due, grouped
from ehcp_engine.domain.calendar import StatutoryCalendar

SHROPSHIRE = "seeds/000 Shropshire SEND Outcomes Framework 2024-2029"
TELFORD = "seeds/002 Telford and Wrekin SEND Action Plan (2022)"
STOCKTON = "seeds/003 Stockton-on-Tees Written Statement of Action (2019)"
YORK = "seeds/004 York SEND Outcomes Framework"
FAMILY = ("parent", "young_person")
# (case id, review meeting seq, outcome as rated) -> the framework headings it sits under.
HeadingsOf = Callable[[int, int, str], Sequence[str]]


@dataclass(frozen=True)
class Targets:
    """Stockton's targets for statutory advice on time (seeds/003): 75%, then 100%."""

    advice_percent: tuple[int, ...] = (75, 100)


def requests_by_family(facts: Sequence[Fact], period: Period) -> dict[str, Any]:
    rate = Rate()
    for f in facts:
        if f.kind == k.REQUEST and f.start_on in period:
            rate.count(f.case_id, f.attrs.get("source") in FAMILY)
    return rate.as_dict()


def assessment_yes_no(facts: Sequence[Fact], period: Period) -> dict[str, Any]:
    yes, no = Rate(), Rate()
    for f in facts:
        if f.kind == k.ASSESSMENT_DECISION and f.met_on in period:
            agreed = f.attrs.get("outcome") == "agreed"
            yes.count(f.case_id, agreed)
            no.count(f.case_id, not agreed)
    return {"yes": yes.as_dict(), "no": no.as_dict()}


def disputes(facts: Sequence[Fact], period: Period) -> dict[str, Any]:
    """Mediation and tribunal: how many, about what, and how they ended."""
    mediations = [f for f in facts if f.kind == k.MEDIATION and f.start_on in period]
    appeals = [f for f in facts if f.kind == k.APPEAL and f.start_on in period]
    decided = [
        f
        for f in facts
        if f.kind == k.APPEAL and f.attrs.get("outcome_on")
        if date.fromisoformat(str(f.attrs["outcome_on"])) in period
    ]
    held = [f for f in facts if f.kind == k.MEDIATION and f.met_on in period]
    return {
        "mediation": {
            "contacts": len(mediations),
            "wanted_mediation": sum(1 for f in mediations if f.attrs.get("wants_mediation")),
            "by_decision": dict(Counter(str(f.attrs.get("category")) for f in mediations)),
            "held": len(held),
            "held_by_agreement": dict(Counter(str(f.attrs.get("agreement")) for f in held)),
            "case_ids": sorted(f.case_id for f in mediations),
        },
        "tribunal": {
            "appeals": len(appeals),
            "by_type": dict(Counter(str(f.attrs.get("appeal_type")) for f in appeals)),
            "by_decision": dict(Counter(str(f.attrs.get("category")) for f in appeals)),
            "case_ids": sorted(f.case_id for f in appeals),
            "outcomes": dict(Counter(_outcome(f) for f in decided)),
        },
    }


def _outcome(appeal: Fact) -> str:
    orders = [o for o in appeal.attrs.get("orders", []) if o != "recommendation"]
    if appeal.attrs.get("outcome") == "order":
        return f"order: {orders[0]}" if orders else "order: recommendation only"
    return str(appeal.attrs.get("outcome"))


def plans_reviewed_in_12_months(
    facts: Sequence[Fact], period: Period, cal: StatutoryCalendar
) -> dict[str, Any]:
    """Plans in force at the period's end, at least 12 months old, with a review meeting in
    the 12 months before it (a transferred-in plan's last review elsewhere counts)."""
    end = period.end
    since = cal.add_months(end, -12)
    reviewed = {
        f.case_id for f in facts if f.kind == k.REVIEW and f.start_on and since < f.start_on <= end
    }
    rate = Rate()
    for f in facts:
        if f.kind != k.PLAN or f.start_on is None or f.start_on > since:
            continue
        if f.ended_on is not None and f.ended_on <= end:
            continue
        elsewhere = f.attrs.get("last_review_on")
        before = elsewhere is not None and since < date.fromisoformat(str(elsewhere)) <= end
        rate.count(f.case_id, f.case_id in reviewed or before)
    return rate.as_dict()


def review_participation(facts: Sequence[Fact], period: Period) -> dict[str, Any]:
    """Reviews held in the period that the child and their parent (or the young person) took
    part in; and each separately."""
    both, child, parent = Rate(), Rate(), Rate()
    for f in facts:
        if f.kind != k.REVIEW or f.start_on not in period:
            continue
        people = set(f.attrs.get("participants", []))
        cyp, par = "child_or_young_person" in people, "parent" in people
        both.count(f.case_id, cyp if f.attrs.get("young_person") else cyp and par)
        child.count(f.case_id, cyp)
        parent.count(f.case_id, par)
    return {
        "child_and_parent_or_young_person": both.as_dict(),
        "child_or_young_person": child.as_dict(),
        "parent": parent.as_dict(),
    }


def advice_against_targets(
    facts: Sequence[Fact], period: Period, targets: Targets
) -> dict[str, Any]:
    rates = by_due(facts, k.ADVICE, period, group=lambda f: str(f.attrs.get("contributor")))
    out = grouped(rates)
    for name, rate in rates.items():
        pct = rate.percent
        (out if name == "all" else out["by"][name])["targets_met"] = targets_met(pct, targets)
    return out


def outcome_ratings(
    facts: Sequence[Fact], period: Period, headings_of: HeadingsOf
) -> dict[str, Counter[str]]:
    """Each framework heading's ratings, from the outcomes rated at reviews held in the period."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for f in facts:
        if f.kind != k.REVIEW or f.start_on not in period:
            continue
        for outcome, rating in f.attrs.get("progress", []):
            for heading in headings_of(f.case_id, int(f.attrs["seq"]), outcome):
                counts[heading][rating] += 1
    return counts


def ratings_table(counts: Mapping[str, Counter[str]]) -> dict[str, Any]:
    """% achieved of those rated, by heading (an outcome no longer relevant is left out)."""
    table = {}
    for heading, found in sorted(counts.items()):
        rated = sum(found.values()) - found["no_longer_relevant"]
        table[heading] = {
            "numerator": found["achieved"],
            "denominator": rated,
            "percent": round(100 * found["achieved"] / rated, 1) if rated else None,
            "ratings": dict(found),
        }
    return table


def outcomes_met(facts: Sequence[Fact], period: Period, headings_of: HeadingsOf) -> dict[str, Any]:
    """Outcome ratings at reviews held in the period, by framework heading: % achieved of
    those rated (an outcome no longer relevant is left out)."""
    return ratings_table(outcome_ratings(facts, period, headings_of))


def local_measures(
    facts: Sequence[Fact],
    period: Period,
    cal: StatutoryCalendar,
    targets: Targets,
    headings_of: HeadingsOf,
) -> list[dict[str, Any]]:
    return local_entries(
        {
            "requests_by_parents_or_young_people": requests_by_family(facts, period),
            "assessment_yes_no": assessment_yes_no(facts, period),
            "mediation_and_tribunal": disputes(facts, period),
            "plans_reviewed_in_12_months": plans_reviewed_in_12_months(facts, period, cal),
            "review_participation": review_participation(facts, period),
            "advice_on_time_by_agency": advice_against_targets(facts, period, targets),
            "outcomes_met_by_heading": outcomes_met(facts, period, headings_of),
        }
    )


LOCAL: tuple[tuple[str, str, str], ...] = (
    (
        "requests_by_parents_or_young_people",
        "% of requests for assessment made by parents or young people",
        SHROPSHIRE,
    ),
    ("assessment_yes_no", "% yes and no to EHC needs assessment", SHROPSHIRE),
    (
        "mediation_and_tribunal",
        "Mediation and tribunal: counts and outcomes",
        f"{SHROPSHIRE} (reduction in mediation and tribunal); {TELFORD}",
    ),
    (
        "plans_reviewed_in_12_months",
        "% of plans with a review in the last 12 months (at the period's end)",
        SHROPSHIRE,
    ),
    (
        "review_participation",
        "% of reviews the child or young person and parent took part in",
        SHROPSHIRE,
    ),
    (
        "advice_on_time_by_agency",
        "% of statutory advice on time, by agency (targets 75%, then 100%)",
        STOCKTON,
    ),
    (
        "outcomes_met_by_heading",
        "% of EHCP outcomes met at review, by outcomes framework heading",
        f"{SHROPSHIRE}; {YORK}",
    ),
)


def local_entries(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each local measure's id, label and source with its result (however it was counted)."""
    return [
        {"id": id_, "label": label, "source": source, "result": results[id_]}
        for id_, label, source in LOCAL
    ]


def targets_met(pct: float | None, targets: Targets) -> dict[str, bool]:
    return {f"{t}%": pct is not None and pct >= t for t in targets.advice_percent}

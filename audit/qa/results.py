"""QA results from the marks: % good or better (by team, officer and month), the weakest
criteria, agreement between markers, grades against advice timeliness, feedback per officer."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from audit.measures.rates import Rate
from audit.qa.rubric import NOT_APPLICABLE, Rubric
from audit.qa.sampling import Issue


@dataclass(frozen=True)
class Marking:
    by: int
    ratings: dict[str, str]
    overall: str
    comments: str = ""


@dataclass(frozen=True)
class Marked:
    item_id: int
    issue: Issue
    scores: tuple[Marking, ...] = ()
    moderation: Marking | None = None
    # Was any statutory advice for the assessment behind this plan late? None: none requested.
    advice_late: bool | None = None

    @property
    def final(self) -> Marking | None:
        """The moderated marks; a single marker's stand until moderated, several need it."""
        if self.moderation is not None:
            return self.moderation
        return self.scores[0] if len(self.scores) == 1 else None


@dataclass
class _Rates:
    rates: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))

    def count(self, key: str, item: Marked, good: bool) -> None:
        self.rates[key].count(item.issue.case_id, good)

    def as_dict(self) -> dict[str, Any]:
        return {k: v.as_dict() for k, v in sorted(self.rates.items())}


def _grouped(
    items: Iterable[Marked], rubric: Rubric, key: Callable[[Marked], str]
) -> dict[str, Any]:
    table = _Rates()
    for item in items:
        assert item.final is not None
        table.count(key(item), item, item.final.overall in rubric.good_or_better)
    return table.as_dict()


def criteria_table(finals: Sequence[Marked], rubric: Rubric) -> list[dict[str, Any]]:
    """Each criterion's average score and % good or better, weakest first."""
    rows = []
    for c in rubric.criteria:
        given = [
            m.final.ratings.get(c.id)
            for m in finals
            if m.final is not None and m.final.ratings.get(c.id) in rubric.ratings
        ]
        scores = [rubric.ratings[g] for g in given if g is not None]
        good = sum(1 for g in given if g in rubric.good_or_better)
        rows.append(
            {
                "criterion": c.id,
                "section": c.section,
                "label": c.label,
                "rated": len(scores),
                "average_score": round(sum(scores) / len(scores), 2) if scores else None,
                "percent_good_or_better": round(100 * good / len(scores), 1) if scores else None,
            }
        )
    return sorted(rows, key=lambda r: (r["average_score"] is None, r["average_score"] or 0))


def agreement(items: Sequence[Marked], rubric: Rubric) -> dict[str, Any]:
    """Between pairs of markers of the same plan: how often they gave the same rating, and a
    rating at most one step apart (overall, and over every criterion both rated)."""
    overall = [0, 0, 0]  # pairs, exact, within one
    criteria = [0, 0, 0]
    for item in items:
        for x, y in combinations(item.scores, 2):
            _tally(overall, rubric, x.overall, y.overall)
            for c in rubric.criteria:
                a, b = x.ratings.get(c.id), y.ratings.get(c.id)
                if a in rubric.ratings and b in rubric.ratings:
                    _tally(criteria, rubric, str(a), str(b))

    def pct(t: list[int], i: int) -> float | None:
        return round(100 * t[i] / t[0], 1) if t[0] else None

    return {
        "pairs": overall[0],
        "overall_exact_percent": pct(overall, 1),
        "overall_within_one_percent": pct(overall, 2),
        "criteria_compared": criteria[0],
        "criteria_exact_percent": pct(criteria, 1),
        "criteria_within_one_percent": pct(criteria, 2),
    }


def _tally(t: list[int], rubric: Rubric, a: str, b: str) -> None:
    t[0] += 1
    t[1] += a == b
    t[2] += abs(rubric.ratings[a] - rubric.ratings[b]) <= 1


def _advice_group(item: Marked) -> str:
    return {True: "advice late", False: "advice on time", None: "no advice requested"}[
        item.advice_late
    ]


def feedback(finals: Sequence[Marked], rubric: Rubric) -> dict[str, list[dict[str, Any]]]:
    """For each officer: their plans' grades, what to improve (criteria below good) and the
    panel's words."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in finals:
        final = item.final
        assert final is not None
        weaker = [
            c.id
            for c in rubric.criteria
            if final.ratings.get(c.id, NOT_APPLICABLE)
            not in (NOT_APPLICABLE, *rubric.good_or_better)
        ]
        out[str(item.issue.officer_id)].append(
            {
                "item_id": item.item_id,
                "case_id": item.issue.case_id,
                "issued_on": item.issue.issued_on.isoformat(),
                "overall": final.overall,
                "to_improve": weaker,
                "feedback": final.comments,
                "link": f"/cases/{item.issue.case_id}",
            }
        )
    return dict(out)


def results(items: Sequence[Marked], rubric: Rubric) -> dict[str, Any]:
    finals = [m for m in items if m.final is not None]
    good = Rate()
    for m in finals:
        assert m.final is not None
        good.count(m.issue.case_id, m.final.overall in rubric.good_or_better)
    return {
        "sampled": len(items),
        "marked": len(finals),
        "awaiting_moderation": sorted(
            m.item_id for m in items if len(m.scores) > 1 and not m.moderation
        ),
        "unmarked": sorted(m.item_id for m in items if not m.scores and not m.moderation),
        "good_or_better": good.as_dict(),
        "grades": dict(Counter(m.final.overall for m in finals if m.final)),
        "by_team": _grouped(finals, rubric, lambda m: str(m.issue.team_id)),
        "by_officer": _grouped(finals, rubric, lambda m: str(m.issue.officer_id)),
        "by_month": _grouped(finals, rubric, lambda m: m.issue.issued_on.strftime("%Y-%m")),
        "weakest_criteria": criteria_table(finals, rubric),
        "agreement": agreement(items, rubric),
        "advice_timeliness": {
            "all": _grouped(finals, rubric, _advice_group),
            "by_team": {
                team: _grouped(
                    [m for m in finals if str(m.issue.team_id) == team], rubric, _advice_group
                )
                for team in sorted({str(m.issue.team_id) for m in finals})
            },
        },
        "feedback": feedback(finals, rubric),
    }

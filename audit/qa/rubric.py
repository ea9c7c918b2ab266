"""The QA rubric (config/qa_rubric.toml): criteria, the four-point scale, and the check of one
panel member's marks against it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.rules import RuleError

NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Criterion:
    id: str
    section: str
    label: str
    from_year: int | None = None


@dataclass(frozen=True)
class Rubric:
    version: str
    name: str
    ratings: dict[str, int]  # rating id -> score (4 outstanding ... 1 inadequate)
    labels: dict[str, str]
    good_or_better: frozenset[str]
    criteria: tuple[Criterion, ...]
    sample_percent: float = 10.0
    sample_minimum: int = 1
    # What each rating means, shown beside it on the marking form (optional).
    descriptions: dict[str, str] = field(default_factory=dict)

    def applies(self, criterion: Criterion, year_group: int) -> bool:
        return criterion.from_year is None or year_group >= criterion.from_year

    def check(self, ratings: dict[str, str], overall: str, year_group: int) -> None:
        """Refuse marks that leave out a criterion, rate one the rubric does not have, use a
        rating off the scale, or rate preparation for adulthood below its year (422)."""
        known = {c.id: c for c in self.criteria}
        errors = [
            (f"ratings.{k}", "not a criterion of this rubric") for k in ratings if k not in known
        ]
        for c in self.criteria:
            given = ratings.get(c.id)
            applies = self.applies(c, year_group)
            if given is None:
                errors.append((f"ratings.{c.id}", "rate every criterion"))
            elif not applies and given != NOT_APPLICABLE:
                errors.append(
                    (f"ratings.{c.id}", f"applies from Year {c.from_year}: give {NOT_APPLICABLE}")
                )
            elif applies and given not in self.ratings:
                errors.append((f"ratings.{c.id}", f"one of {', '.join(self.ratings)}"))
        if overall not in self.ratings:
            errors.append(("overall", f"one of {', '.join(self.ratings)}"))
        if errors:
            (first, message), *more = errors
            raise EventInvalid(first, message, more)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "ratings": [
                {"id": r, "label": self.labels[r], "score": s} for r, s in self.ratings.items()
            ],
            "good_or_better": sorted(self.good_or_better),
            "criteria": [
                {"id": c.id, "section": c.section, "label": c.label, "from_year": c.from_year}
                for c in self.criteria
            ],
        }


def load_rubric(path: Path) -> Rubric:
    """Read and validate the rubric; a bad file raises RuleError naming the file and key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from None
    scale = raw.get("ratings") or []
    ratings = {str(r["id"]): int(r["score"]) for r in scale}
    criteria = tuple(
        Criterion(str(c["id"]), str(c["section"]), str(c["label"]), c.get("from_year"))
        for c in raw.get("criteria") or []
    )
    good = frozenset(str(g) for g in raw.get("good_or_better", []))
    problems = []
    if not ratings or not criteria:
        problems.append("give ratings and criteria")
    if not good <= set(ratings):
        problems.append("good_or_better names a rating that is not on the scale")
    if len({c.id for c in criteria}) != len(criteria):
        problems.append("criteria ids must be unique")
    if problems:
        raise RuleError(f"{path}: " + "; ".join(problems))
    sampling = raw.get("sampling", {})
    return Rubric(
        version=str(raw.get("version", "1")),
        name=str(raw.get("name", "QA rubric")),
        ratings=ratings,
        labels={str(r["id"]): str(r.get("label", r["id"])) for r in scale},
        good_or_better=good,
        criteria=criteria,
        sample_percent=float(sampling.get("percent", 10)),
        sample_minimum=int(sampling.get("minimum", 1)),
        descriptions={str(r["id"]): str(r["description"]) for r in scale if "description" in r},
    )

"""A reproducible QA sample: seeded, sized as N or a percentage, stratified by team and officer.

The population is every plan issued or amended in the period (one item per final or amended plan
event). The sample is allocated to strata (team, officer) in proportion to their size, largest
remainders first, and drawn within each stratum with `random.Random(seed)`: the same seed and the
same population always give the same sample.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from random import Random

Stratum = tuple[int, int]  # (team id, officer id); -1 for none


@dataclass(frozen=True)
class Issue:
    """A plan issue: the unit of QA (the plan version issued with that audit seq is marked)."""

    case_id: int
    issued_seq: int
    issued_on: date
    issue: str  # final | amended
    officer_id: int | None
    team_id: int | None
    request_seq: int | None = None

    @property
    def stratum(self) -> Stratum:
        return (self.team_id or -1, self.officer_id or -1)


def sample_size(population: int, size: int | None, percent: float | None, minimum: int = 0) -> int:
    if size is not None:
        wanted = size
    elif percent is not None:
        wanted = max(minimum, math.ceil(population * percent / 100))
    else:
        raise ValueError("give a size or a percentage")
    return max(0, min(wanted, population))


def allocate(strata: dict[Stratum, int], n: int) -> dict[Stratum, int]:
    """Proportional allocation with the largest remainders (ties: the larger stratum, then the
    stratum key), so the quotas add up to n exactly."""
    total = sum(strata.values())
    if not total:
        return {}
    exact = {s: n * size / total for s, size in strata.items()}
    quotas = {s: math.floor(q) for s, q in exact.items()}
    left = n - sum(quotas.values())
    order = sorted(strata, key=lambda s: (-(exact[s] - quotas[s]), -strata[s], s))
    for s in order[:left]:
        quotas[s] += 1
    return quotas


def draw(population: Sequence[Issue], n: int, seed: int) -> list[Issue]:
    groups: dict[Stratum, list[Issue]] = defaultdict(list)
    for issue in sorted(population, key=lambda i: (i.case_id, i.issued_seq)):
        groups[issue.stratum].append(issue)
    quotas = allocate({s: len(items) for s, items in groups.items()}, n)
    rng = Random(seed)
    chosen: list[Issue] = []
    for stratum in sorted(groups):
        chosen.extend(rng.sample(groups[stratum], quotas.get(stratum, 0)))
    return sorted(chosen, key=lambda i: (i.case_id, i.issued_seq))

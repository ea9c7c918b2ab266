"""QA sampling: proportional allocation to strata (team, officer), reproducible draws, sizes as
N or a percentage, and the scheduled monthly draw run once."""

from __future__ import annotations

from datetime import date

from audit.qa.sampling import Issue, allocate, draw, sample_size
from ehcp_engine.services.context import Services
from ehcp_engine.services.scheduler import run_job
from tests.measures.test_journey_measures import build


def _issues(n: int, team: int, officer: int, first: int) -> list[Issue]:
    return [Issue(first + i, 5, date(2025, 3, 1), "final", officer, team) for i in range(n)]


def test_allocation_is_proportional_with_largest_remainders() -> None:
    quotas = allocate({(1, 1): 5, (1, 2): 3, (2, 3): 2}, 5)
    # Exact shares 2.5, 1.5 and 1.0: the tie on .5 goes to the larger stratum.
    assert quotas == {(1, 1): 3, (1, 2): 1, (2, 3): 1}
    assert sum(allocate({(1, 1): 7, (2, 2): 6, (3, 3): 1}, 4).values()) == 4


def test_a_draw_is_reproducible_from_its_seed() -> None:
    population = _issues(6, 1, 10, 100) + _issues(4, 2, 20, 200)
    first = draw(population, 5, seed=42)
    assert draw(list(reversed(population)), 5, seed=42) == first  # order of input irrelevant
    assert sum(1 for i in first if i.team_id == 1) == 3  # 6 of 10 -> 3 of 5
    assert len({(i.case_id, i.issued_seq) for i in first}) == 5


def test_sample_size_as_n_or_percent() -> None:
    assert sample_size(25, None, 10) == 3  # 2.5 rounds up: never an empty sample by rounding
    assert sample_size(25, 40, None) == 25
    assert sample_size(5, None, 10, minimum=2) == 2


def test_the_scheduled_draw_takes_last_month_once(fresh_svc: Services) -> None:
    story = build(fresh_svc)
    run = run_job(fresh_svc, "qa_sample", today=date(2025, 6, 2))
    assert run.outcome == "ok", run.detail
    assert "1 plan(s) of May 2025 sampled" in run.detail  # A (19 May) or F (30 May), 10%
    again = run_job(fresh_svc, "qa_sample", today=date(2025, 6, 20))
    assert "May 2025 already sampled" in again.detail
    assert story["a"]

"""The simulation report, its summary lines, and the progress bar of a long run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ehcp_engine.services.simulator.measures import Measures


@dataclass(frozen=True)
class TeamReport:
    name: str
    manager_email: str
    officers: list[tuple[str, str, int]]  # (email, display name, open cases at the end)


@dataclass(frozen=True)
class SimulationReport:
    plans: int
    years: int
    seed: int
    start: date
    end: date
    cases: int
    events: int
    refused: int
    refusals: list[str]
    elapsed_seconds: float
    measures: Measures
    teams: list[TeamReport]
    demo_officer_id: int
    demo_officer_email: str
    cpu_seconds: float = 0.0  # this process only: the database server's time is not in it
    events_by_type: dict[str, int] = field(default_factory=dict)
    dropped_acts: int = 0
    misplanned_acts: int = 0

    @property
    def events_per_second(self) -> float:
        return self.events / self.elapsed_seconds if self.elapsed_seconds else 0.0

    def summary(self) -> list[str]:
        lines = [
            f"simulated {self.start} to {self.end} (seed {self.seed}, {self.plans} plans target)",
            f"cases: {self.cases}   events: {self.events}   refused: {self.refused}"
            + (f"   misplanned: {self.misplanned_acts}" if self.misplanned_acts else ""),
            f"plans in force at the end: {self.measures.plans_in_force}",
            f"elapsed: {self.elapsed_seconds:.1f} s   ({self.events_per_second:.0f} events/s; "
            f"{self.cpu_seconds:.1f} s of CPU in this process)",
            "measures in the period (simulated vs national):",
        ]
        lines += [f"  {name}: {value}  [{target}]" for name, value, target in self.measures.lines()]
        lines.append("teams:")
        for team in self.teams:
            loads = [n for _e, _n, n in team.officers]
            lines.append(
                f"  {team.name}: {len(team.officers)} officers, caseloads "
                f"{min(loads)}-{max(loads)}, manager {team.manager_email}"
            )
        lines += [f"  REFUSED {r}" for r in self.refusals[:10]]
        return lines


@contextmanager
def progress_bar(enabled: bool, first: date, last: date) -> Iterator[Callable[[date, int], None]]:
    """A rich progress bar over the simulated days (on stderr); a no-op when disabled."""
    if not enabled:
        yield lambda day, events: None
        return
    total = max(1, (last - first).days)
    columns = (
        TextColumn("[bold]simulating[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("", total=total)

        def update(day: date, events: int) -> None:
            bar.update(task, completed=(day - first).days, description=f"{day}  {events} events")

        yield update
        bar.update(task, completed=total)

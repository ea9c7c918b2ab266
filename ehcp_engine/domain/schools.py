"""Local school structures: which national curriculum years are phase transfers (Reg 2(1)).

Placeholder until the phase-transfer work fills it from config/phase_transfer.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SchoolStructures:
    structures: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    default_structure: str = "two_tier"

    @classmethod
    def default(cls) -> SchoolStructures:
        return cls()

    def names(self) -> list[str]:
        return sorted(self.structures) or [self.default_structure]

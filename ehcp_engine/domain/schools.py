"""Local school structures: which national curriculum years are phase transfers (Reg 2(1)).

Reg 2(1) defines a "transfer between phases of education" by the kinds of school on either side;
the national curriculum years at which those transfers happen depend on how an authority's
schools are organised (two-tier, infant/junior, first/middle/upper). So the years are data, in
config/phase_transfer.toml (STATUTORY.md §3, the paragraph on phase transfers). A child's case
names its structure, or takes the authority's default.

Pure apart from `load_school_structures`, which reads the file the way `rules.load_rule_book` does;
a bad file raises `RuleError` naming the file and the key, so the service does not start.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ehcp_engine.domain.rules import RuleError

__all__ = [
    "KINDS",
    "MAX_YEAR",
    "MIN_YEAR",
    "SchoolStructures",
    "Transfer",
    "load_school_structures",
]

# Reg 2(1) "transfer between phases of education": the kinds a structure may name, each with the
# limb of the definition it falls under. first/middle/upper names are the same transfers under
# the names three-tier areas use (a first school is a primary school, an upper school a secondary).
KINDS: dict[str, str] = {
    "early_years_to_school": "relevant early years education to school (Reg 2(1)(a))",
    "infant_to_junior": "infant school to junior school (Reg 2(1)(b))",
    "primary_to_middle": "primary school to middle school (Reg 2(1)(c))",
    "first_to_middle": "first school to middle school (primary to middle, Reg 2(1)(c))",
    "primary_to_secondary": "primary school to secondary school (Reg 2(1)(d))",
    "middle_to_secondary": "middle school to secondary school (Reg 2(1)(e))",
    "middle_to_upper": "middle school to upper school (middle to secondary, Reg 2(1)(e))",
    "secondary_to_post16": "secondary school to a post-16 institution (Reg 2(1)(f))",
}
# National curriculum years: Nursery is -1, Reception 0, Year 14 the last a 19-year-old reaches.
MIN_YEAR, MAX_YEAR = -1, 14
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Transfer:
    """A phase transfer on 1 September, from the end of `from_year` into `to_year`."""

    kind: str
    from_year: int
    to_year: int


_TWO_TIER: tuple[Transfer, ...] = (
    Transfer("early_years_to_school", -1, 0),
    Transfer("primary_to_secondary", 6, 7),
    Transfer("secondary_to_post16", 11, 12),
)


@dataclass(frozen=True)
class SchoolStructures:
    """The structures an authority uses, by name, and the one a case without a name follows."""

    structures: dict[str, tuple[Transfer, ...]] = field(
        default_factory=lambda: {"two_tier": _TWO_TIER}
    )
    default_structure: str = "two_tier"

    @classmethod
    def default(cls) -> SchoolStructures:
        """The built-in two-tier structure, used when config/phase_transfer.toml is absent."""
        return cls({"two_tier": _TWO_TIER}, "two_tier")

    def names(self) -> list[str]:
        return sorted(self.structures)

    def kinds(self) -> list[str]:
        """Every transfer kind some structure names (what a cohort may be asked for)."""
        return sorted({t.kind for ts in self.structures.values() for t in ts})

    def transfers(self, structure_name: str | None) -> tuple[Transfer, ...]:
        """A structure's transfers; None means the default. An unknown name is a configuration
        error (the structure was removed while cases still name it), never a silent default."""
        name = structure_name or self.default_structure
        try:
            return self.structures[name]
        except KeyError:
            raise RuleError(
                f"school structure '{name}' is not configured (known: {', '.join(self.names())})"
            ) from None


def load_school_structures(path: Path) -> SchoolStructures:
    """Read and validate config/phase_transfer.toml; raise RuleError naming the file and key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise RuleError(f"{path}: cannot be read: {exc}") from None
    return parse_school_structures(raw, str(path))


def parse_school_structures(raw: dict[str, Any], origin: str) -> SchoolStructures:
    """Validate the parsed file; every problem found is named in one RuleError."""
    problems = _unknown_keys(raw, {"default_structure", "structures"}, "")
    tables = raw.get("structures")
    structures: dict[str, tuple[Transfer, ...]] = {}
    if not isinstance(tables, dict) or not tables:
        problems.append("structures: give at least one [structures.NAME] table")
        tables = {}
    for name, table in tables.items():
        transfers, found = _structure(name, table)
        structures[name] = transfers
        problems += found
    default = raw.get("default_structure")
    if not isinstance(default, str) or default not in structures:
        problems.append(
            f"default_structure: {default!r} is not one of the structures "
            f"({', '.join(sorted(structures))})"
        )
    if problems:
        raise RuleError(f"{origin}: " + "; ".join(problems))
    assert isinstance(default, str)
    return SchoolStructures(structures, default)


def _structure(name: str, table: object) -> tuple[tuple[Transfer, ...], list[str]]:
    where = f"structures.{name}"
    if not _NAME.match(name):
        return (), [f"{where}: a name is lower case letters, digits and _ (at most 40)"]
    if not isinstance(table, dict):
        return (), [f"{where}: must be a table with a 'transfers' list"]
    problems = _unknown_keys(table, {"transfers"}, f"{where}.")
    items = table.get("transfers")
    if not isinstance(items, list):
        return (), [*problems, f"{where}.transfers: give a list of {{kind, from_year, to_year}}"]
    transfers: list[Transfer] = []
    for i, item in enumerate(items):
        transfer, found = _transfer(f"{where}.transfers[{i}]", item)
        problems += found
        if transfer is not None:
            transfers.append(transfer)
    problems += _repeats(where, transfers)
    return tuple(sorted(transfers, key=lambda t: t.from_year)), problems


def _transfer(where: str, item: object) -> tuple[Transfer | None, list[str]]:
    if not isinstance(item, dict):
        return None, [f"{where}: must be a table {{kind, from_year, to_year}}"]
    problems = _unknown_keys(item, {"kind", "from_year", "to_year"}, f"{where}.")
    kind, years = item.get("kind"), (item.get("from_year"), item.get("to_year"))
    if kind not in KINDS:
        problems.append(f"{where}.kind: {kind!r} is not a Reg 2(1) kind ({', '.join(KINDS)})")
    for key, year in zip(("from_year", "to_year"), years, strict=True):
        if type(year) is not int or not MIN_YEAR <= year <= MAX_YEAR:
            problems.append(f"{where}.{key}: {year!r} is not a year from {MIN_YEAR} to {MAX_YEAR}")
    if problems:
        return None, problems
    from_year, to_year = years
    assert isinstance(kind, str) and isinstance(from_year, int) and isinstance(to_year, int)
    if from_year >= to_year:
        return None, [f"{where}: from_year {from_year} must be before to_year {to_year}"]
    return Transfer(kind, from_year, to_year), []


def _repeats(where: str, transfers: list[Transfer]) -> list[str]:
    """A kind twice would give two deadlines one key; a child leaves a year only once."""
    problems: list[str] = []
    kinds = [t.kind for t in transfers]
    years = [t.from_year for t in transfers]
    problems += [
        f"{where}: kind '{k}' is listed twice" for k in sorted(set(kinds)) if kinds.count(k) > 1
    ]
    problems += [
        f"{where}: two transfers leave year {y}" for y in sorted(set(years)) if years.count(y) > 1
    ]
    return problems


def _unknown_keys(table: dict[str, Any], known: set[str], prefix: str) -> list[str]:
    return [
        f"{prefix}{key}: unknown key (known: {', '.join(sorted(known))})"
        for key in sorted(set(table) - known)
    ]

"""The SEN2 collection as configured (config/sen2/): census dates, element order and code lists
per collection year, the schema to validate against, and the engine-to-SEN2 code mappings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ehcp_engine.domain.rules import RuleError


@dataclass(frozen=True)
class Collection:
    """One collection year: the return made in January `year` about the calendar year before."""

    year: int
    census_date: date
    schema: Path
    order: dict[str, tuple[str, ...]]
    codes: dict[str, frozenset[str]]

    @property
    def period(self) -> tuple[date, date]:
        return date(self.year - 1, 1, 1), date(self.year - 1, 12, 31)


@dataclass(frozen=True)
class Sen2Config:
    la_code: str
    software_code: str
    release: str
    sources: dict[str, str]  # DMO, DCO, DSCO
    la_codes: frozenset[str]
    request_source: dict[str, str]
    review_outcome: dict[str, str]
    years: dict[int, dict[str, Any]]
    folder: Path

    def collection(self, year: int) -> Collection:
        if year not in self.years:
            known = ", ".join(str(y) for y in sorted(self.years))
            raise RuleError(f"no SEN2 collection {year} is configured (known: {known})")
        entry = self.years[year]
        codes_file = self.folder / str(entry["codes"])
        raw = tomllib.loads(codes_file.read_text(encoding="utf-8"))
        return Collection(
            year=year,
            census_date=entry["census_date"],
            schema=self.folder / str(entry["schema"]),
            order={k: tuple(v) for k, v in raw["order"].items()},
            codes={k: frozenset(v) for k, v in raw["codes"].items()},
        )


def load_sen2_config(folder: Path) -> Sen2Config:
    path = folder / "collection.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from None
    years = {int(y): v for y, v in raw.get("years", {}).items()}
    for year, entry in years.items():
        if not isinstance(entry.get("census_date"), date):
            raise RuleError(f"{path}: years.{year}.census_date must be a date")
    return Sen2Config(
        la_code=str(raw["la_code"]),
        software_code=str(raw.get("software_code", "")),
        release=str(raw.get("release", "")),
        sources={k.upper(): str(raw.get(k, "Y")) for k in ("dmo", "dco", "dsco")},
        la_codes=frozenset(str(c) for c in raw.get("la_codes", [])),
        request_source={k: str(v) for k, v in raw.get("request_source", {}).items()},
        review_outcome={k: str(v) for k, v in raw.get("review_outcome", {}).items()},
        years=years,
        folder=folder,
    )

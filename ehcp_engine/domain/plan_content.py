"""An EHC plan's content: the sections A–K of Reg 12(1), as validated data.

A: the views, interests and aspirations of the child and parent, or of the young person;
B: special educational needs; C: health needs related to them; D: social care needs;
E: outcomes; F: special educational provision; G: health provision; H1: social care provision
under CSDPA 1970 s.2; H2: other social care provision; I: the setting (or type) named;
J: the personal budget; K: the advice and information gathered (Reg 12(1)(k), Reg 6).

Ids are stable strings chosen by the writer (or the editor), so a provision item can name the
needs and outcomes it serves and a review can rate an outcome across versions of the plan.
Cross references and outcome headings are checked by `parse_content`, which names the field at
fault in each error.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.events import AdviceType

NeedArea = Literal["communication_interaction", "cognition_learning", "semh", "sensory_physical"]
# CoP 8.7: the four preparation-for-adulthood outcomes, from Year 9 (CoP 8.9).
PfaTheme = Literal["employment", "independent_living", "community_inclusion", "health"]
VersionKind = Literal["draft", "final", "amended"]

SECTION_TITLES: dict[str, str] = {
    "a": "The views, interests and aspirations of the child and their parents, or the young person",
    "b": "Special educational needs",
    "c": "Health needs related to the special educational needs",
    "d": "Social care needs related to the special educational needs or a disability",
    "e": "Outcomes",
    "f": "Special educational provision",
    "g": "Health provision",
    "h1": "Social care provision under section 2 of the Chronically Sick and Disabled Persons "
    "Act 1970",
    "h2": "Other social care provision",
    "i": "Placement: the school or other institution",
    "j": "Personal budget",
    "k": "Advice and information",
}
SECTIONS = tuple(SECTION_TITLES)
PROVISION_SECTIONS = ("f", "g", "h1", "h2")
AREA_LABELS: dict[str, str] = {
    "communication_interaction": "Communication and interaction",
    "cognition_learning": "Cognition and learning",
    "semh": "Social, emotional and mental health",
    "sensory_physical": "Sensory and/or physical",
}
PFA_LABELS: dict[str, str] = {
    "employment": "Employment",
    "independent_living": "Independent living",
    "community_inclusion": "Community inclusion",
    "health": "Health",
}


def _printable(value: str) -> str:
    """No NUL characters (PostgreSQL text cannot hold them) and no lone surrogates (not UTF-8):
    refused here, naming the field, rather than failing in the database or the renderer."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\x00) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode (a lone surrogate)") from None
    return value


Line = Annotated[str, Field(max_length=500), AfterValidator(_printable)]
Required = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_printable)]
Prose = Annotated[str, Field(max_length=20_000), AfterValidator(_printable)]
RequiredProse = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_printable)]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
MAX_ITEMS = 200


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionA(_Part):
    views: Prose = ""
    interests: Prose = ""
    aspirations: Prose = ""


class Need(_Part):
    """A special educational need (Section B), in one of the CoP 6.28 broad areas."""

    id: ItemId
    area: NeedArea
    description: RequiredProse


class RelatedNeed(_Part):
    """A health (C) or social care (D) need."""

    id: ItemId
    description: RequiredProse


class Outcome(_Part):
    """CoP 9.66: specific, measurable, achievable, realistic and time-bound, with the steps
    towards it."""

    id: ItemId
    description: RequiredProse
    time_frame: Line = ""
    steps: list[Line] = Field(default_factory=list, max_length=50)
    pfa_theme: PfaTheme | None = None
    headings: list[Line] = Field(default_factory=list, max_length=20)


class Provision(_Part):
    """CoP 9.69: provision is detailed and specific, and quantified (type, hours, frequency)."""

    id: ItemId
    what: RequiredProse
    who: Line = ""
    amount: Line = ""
    frequency: Line = ""
    needs: list[ItemId] = Field(default_factory=list, max_length=50)
    outcomes: list[ItemId] = Field(default_factory=list, max_length=50)


class SectionI(_Part):
    setting_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    setting_type: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class SectionJ(_Part):
    personal_budget: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)] | None = None
    arrangements: Prose | None = None


class Advice(_Part):
    """Reg 12(1)(k): the advice and information obtained under Reg 6(1), listed in an appendix."""

    advice_request_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    advice_type: AdviceType
    contributor: Required
    received_on: date


def _items() -> Any:
    return Field(default_factory=list, max_length=MAX_ITEMS)


class PlanContent(_Part):
    a: SectionA = Field(default_factory=SectionA)
    b: list[Need] = _items()
    c: list[RelatedNeed] = _items()
    d: list[RelatedNeed] = _items()
    e: list[Outcome] = _items()
    f: list[Provision] = _items()
    g: list[Provision] = _items()
    h1: list[Provision] = _items()
    h2: list[Provision] = _items()
    i: SectionI = Field(default_factory=SectionI)
    j: SectionJ = Field(default_factory=SectionJ)
    k: list[Advice] = _items()

    def provision(self) -> list[tuple[str, int, Provision]]:
        """Every provision item of F, G, H1 and H2 as (section, index, item)."""
        return [(s, n, p) for s in PROVISION_SECTIONS for n, p in enumerate(getattr(self, s))]

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# Which needs a provision item may serve: F meets the SEN in B (Reg 12(1)(f)); health and social
# care provision may also serve the SEN they relate to.
NEEDS_SERVED: dict[str, tuple[str, ...]] = {
    "f": ("b",),
    "g": ("b", "c"),
    "h1": ("b", "d"),
    "h2": ("b", "d"),
}


@dataclass(frozen=True)
class OutcomeFramework:
    """The local outcomes framework a plan's outcomes are tagged with (CoP 3.31)."""

    id: str
    name: str
    headings: tuple[str, ...]

    def canonical(self, heading: str) -> str | None:
        wanted = heading.strip().casefold()
        return next((h for h in self.headings if h.casefold() == wanted), None)


NO_FRAMEWORK = OutcomeFramework("none", "no local outcomes framework", ())


class FrameworkError(ValueError):
    """config/outcome_frameworks.toml is wrong: the message names the file and the problem."""


def load_outcome_framework(config_dir: Path) -> OutcomeFramework:
    """The active framework of config/outcome_frameworks.toml (none if the file is absent)."""
    path = config_dir / "outcome_frameworks.toml"
    if not path.exists():
        return NO_FRAMEWORK
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    active = raw.get("active")
    frameworks = raw.get("frameworks", {})
    if not isinstance(active, str) or active not in frameworks:
        raise FrameworkError(
            f"{path}: 'active' must name one of the [frameworks.*] tables ({sorted(frameworks)})"
        )
    chosen = frameworks[active]
    headings = chosen.get("headings")
    if not isinstance(headings, list) or not all(isinstance(h, str) and h for h in headings):
        raise FrameworkError(f"{path}: frameworks.{active}.headings must be a list of text")
    return OutcomeFramework(active, str(chosen.get("name", active)), tuple(headings))


def parse_content(raw: Mapping[str, Any], framework: OutcomeFramework) -> PlanContent:
    """Validate a plan's content; 422 (EventInvalid) with every field at fault under `content`.
    Outcome headings come back in the framework's own spelling."""
    try:
        content = PlanContent.model_validate(raw)
    except ValidationError as exc:
        raise EventInvalid.from_pydantic(exc.errors(), "content") from None
    errors = [*reference_errors(content), *heading_errors(content, framework)]
    if errors:
        (field, message), *more = [(f"content.{f}", m) for f, m in errors]
        raise EventInvalid(field, message, more)
    for outcome in content.e:
        outcome.headings = [framework.canonical(h) or h for h in outcome.headings]
    return content


def _duplicates(entries: Iterable[tuple[str, str]], what: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    errors = []
    for where, item_id in entries:
        if item_id in seen:
            errors.append((where, f"duplicate {what} id '{item_id}' (also at {seen[item_id]})"))
        seen.setdefault(item_id, where)
    return errors


def reference_errors(content: PlanContent) -> list[tuple[str, str]]:
    """Ids are unique; every need and outcome a provision item names exists where it may."""
    needs = [
        (f"{s}.{n}.id", x.id) for s in ("b", "c", "d") for n, x in enumerate(getattr(content, s))
    ]
    errors = _duplicates(needs, "need")
    errors += _duplicates([(f"e.{n}.id", o.id) for n, o in enumerate(content.e)], "outcome")
    errors += _duplicates([(f"{s}.{n}.id", p.id) for s, n, p in content.provision()], "provision")
    outcome_ids = {o.id for o in content.e}
    for section, n, item in content.provision():
        allowed = NEEDS_SERVED[section]
        need_ids = {x.id for s in allowed for x in getattr(content, s)}
        for m, need in enumerate(item.needs):
            if need not in need_ids:
                where = " or ".join(s.upper() for s in allowed)
                errors.append((f"{section}.{n}.needs.{m}", f"no need '{need}' in section {where}"))
        for m, outcome in enumerate(item.outcomes):
            if outcome not in outcome_ids:
                errors.append((f"{section}.{n}.outcomes.{m}", f"no outcome '{outcome}' in E"))
    return errors


def heading_errors(content: PlanContent, framework: OutcomeFramework) -> list[tuple[str, str]]:
    errors = []
    for n, outcome in enumerate(content.e):
        for m, heading in enumerate(outcome.headings):
            if framework.canonical(heading) is None:
                known = "; ".join(framework.headings) or "none configured"
                errors.append(
                    (
                        f"e.{n}.headings.{m}",
                        f"'{heading}' is not a heading of the {framework.name} (known: {known})",
                    )
                )
    return errors


@dataclass(frozen=True)
class ReceivedAdvice:
    """Advice the authority has received for the case (an advice request with its receipt)."""

    advice_request_id: int | None
    advice_type: str
    contributor: str
    received_on: date


def in_section_k(content: PlanContent, advice: ReceivedAdvice) -> bool:
    """Matched by the advice request's id, or by type and contributor for an entry typed in."""
    for entry in content.k:
        if advice.advice_request_id is not None and entry.advice_request_id is not None:
            if entry.advice_request_id == advice.advice_request_id:
                return True
        elif (entry.advice_type, entry.contributor.casefold()) == (
            advice.advice_type,
            advice.contributor.casefold(),
        ):
            return True
    return False


def with_received_advice(content: PlanContent, received: Iterable[ReceivedAdvice]) -> PlanContent:
    """Section K with every received advice listed (Reg 12(1)(k)); entries already there stay."""
    added = [
        Advice.model_validate(
            {
                "advice_request_id": a.advice_request_id,
                "advice_type": a.advice_type,
                "contributor": a.contributor,
                "received_on": a.received_on,
            }
        )
        for a in received
        if not in_section_k(content, a)
    ]
    return content.model_copy(update={"k": [*content.k, *added]})

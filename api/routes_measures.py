"""/api/v1/measures, /api/v1/qa and /api/v1/sen2: timeliness and local measures (JSON and CSV;
the page is the signed-in /measures, api/web/measures_pages.py), overdue reviews, QA rounds end
to end, and the SEN2 data-quality report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.deps import ActorDep, ServicesDep
from api.schemas import DB_INT_MAX, ErrorOut
from audit.qa.results import Marking
from ehcp_engine.persistence.models import Case
from ehcp_engine.services import measures, qa, sen2
from ehcp_engine.services.access import case_scope, check_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1", tags=["measures and QA"])


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)
}
# CSV routes answer errors in JSON: say so, or clients expect errors as CSV.
NOT_JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    for code in (401, 403, 422)
}
Id = Annotated[int, Query(ge=1, le=DB_INT_MAX)]
Day = Annotated[date | None, Query()]


def _period(svc: Services, start: date | None, end: date | None) -> tuple[date, date]:
    """Default: the calendar year to date."""
    today = svc.clock.today()
    return start or today.replace(month=1, day=1), end or today


def _scope(team: int | None, officer: int | None) -> measures.Scope:
    return measures.Scope(team_id=team, officer_id=officer)


@router.get("/measures", responses=ERRORS)
def read_measures(
    svc: ServicesDep,
    actor: ActorDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    team: Id | None = None,
    officer: Id | None = None,
    ids: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Every measure over [from, to] (both included), for the whole authority, a team or an
    officer: SEN2 timeliness, the plan's-life timers, weeks to issue, the monthly trend and
    the seeds' local measures, each with numerator, denominator, percent and the number
    excluded. With `ids=true`, also the cases counted in each (`numerator_ids`,
    `denominator_ids`, `excluded_ids`, and `case_ids` of mediations and appeals): for drilling
    down, since at a large authority each list holds a whole cohort."""
    require(actor, "measures.read")
    period = _period(svc, start, end)
    return measures.dashboard(svc, *period, _scope(team, officer), ids=ids)


@router.get("/measures.csv", response_class=CsvResponse, responses=NOT_JSON_ERRORS)
def read_measures_csv(
    svc: ServicesDep,
    actor: ActorDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    team: Id | None = None,
    officer: Id | None = None,
) -> CsvResponse:
    """The same measures as CSV: one row per measure and per group of a measure."""
    require(actor, "measures.read")
    return CsvResponse(
        measures.dashboard_csv(svc, *_period(svc, start, end), _scope(team, officer))
    )


def _visible(svc: Services, actor: Actor) -> set[int]:
    with svc.sessions() as session:
        query = select(Case.id).where(case_scope(actor, svc.settings.case_scope))
        return set(session.scalars(query))


@router.get("/measures/overdue-reviews", responses=ERRORS)
def read_overdue_reviews(
    svc: ServicesDep,
    actor: ActorDep,
    as_of: Day = None,
    team: Id | None = None,
    officer: Id | None = None,
) -> dict[str, Any]:
    """Annual reviews overdue by more than 6, 12 and 24 months on `as_of` (default today),
    listed by case (the cases the signed-in user may see)."""
    require(actor, "measures.read")
    day = as_of or svc.clock.today()
    return measures.overdue(svc, day, _scope(team, officer), _visible(svc, actor))


# ---- QA ------------------------------------------------------------------------------------


class RoundPost(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    size: int | None = Field(default=None, ge=1, le=10_000)
    percent: float | None = Field(default=None, gt=0, le=100)
    seed: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    name: str | None = Field(default=None, max_length=200)


class MarksPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratings: dict[str, str] = Field(max_length=100)
    overall: str = Field(max_length=30)
    comments: str = Field(default="", max_length=20_000)


class ModerationPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratings: dict[str, str] = Field(max_length=100)
    overall: str = Field(max_length=30)
    feedback: str = Field(default="", max_length=20_000)


@router.get("/qa/rubric", responses=ERRORS)
def read_rubric(svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    require(actor, "measures.read")
    return qa.rubric(svc).as_dict()


@router.post("/qa/rounds", status_code=status.HTTP_201_CREATED, responses=ERRORS)
def create_round(body: RoundPost, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Draw a reproducible sample (seeded; `size` plans or `percent` of them), stratified by
    team and officer, of the plans issued or amended in [from, to]."""
    require(actor, "qa.run")
    spec = qa.RoundIn(body.start, body.end, body.size, body.percent, body.seed, body.name)
    return qa.round_view(svc, qa.create_round(svc, actor, spec))


@router.get("/qa/rounds/{round_id}", responses=ERRORS)
def read_round(round_id: int, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    require(actor, "qa.score")
    return qa.round_view(svc, _known(round_id))


def _known(n: int) -> int:
    if not 1 <= n <= DB_INT_MAX:
        from ehcp_engine.domain.errors import NotFound

        raise NotFound(f"no QA round or item {n}")
    return n


@router.post(
    "/qa/rounds/{round_id}/items/{item_id}/scores",
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
def post_scores(
    round_id: int, item_id: int, body: MarksPost, svc: ServicesDep, actor: ActorDep
) -> dict[str, Any]:
    """One panel member's marks for one sampled plan (sending again replaces them)."""
    require(actor, "qa.score")
    marks = Marking(actor.user_id or 0, body.ratings, body.overall, body.comments)
    return qa.score(svc, actor, _known(round_id), _known(item_id), marks)


@router.post(
    "/qa/rounds/{round_id}/items/{item_id}/moderate",
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
def post_moderation(
    round_id: int, item_id: int, body: ModerationPost, svc: ServicesDep, actor: ActorDep
) -> dict[str, Any]:
    """The moderated result, with the feedback the officer will see."""
    require(actor, "qa.run")
    marks = Marking(actor.user_id or 0, body.ratings, body.overall, body.feedback)
    return qa.moderate(svc, actor, _known(round_id), _known(item_id), marks)


@router.get("/qa/rounds/{round_id}/results", responses=ERRORS)
def read_results(round_id: int, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """% good or better (by team, officer and month), weakest criteria, agreement between
    markers, grades against advice timeliness, and feedback per officer."""
    require(actor, "qa.run")
    return qa.round_results(svc, _known(round_id))


@router.get("/qa/measures", responses=ERRORS)
def read_qa_measures(
    svc: ServicesDep,
    actor: ActorDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """QA results across rounds for plans issued in [from, to]."""
    require(actor, "measures.read")
    return qa.qa_measures(svc, *_period(svc, start, end))


@router.get("/qa/feedback", responses=ERRORS)
def read_feedback(
    svc: ServicesDep, actor: ActorDep, officer: Id | None = None
) -> list[dict[str, Any]]:
    """QA feedback on an officer's plans: one's own, or (QA and managers) any officer's."""
    require(actor, "measures.read")
    if officer is not None and officer != actor.user_id:
        require(actor, "qa.run")
    who = officer or actor.user_id
    return qa.officer_feedback(svc, who) if who else []


# ---- SEN2 ------------------------------------------------------------------------------------


class Sen2PersonPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sex: Literal["M", "F"] | None = None
    ethnicity: str | None = Field(default=None, pattern=r"^[A-Z]{4}$")
    postcode: str | None = Field(default=None, max_length=10)
    uln: str | None = Field(default=None, max_length=10)
    upn_unknown: str | None = Field(default=None, pattern=r"^UN\d{1,2}$")
    sen_types: list[str] = Field(default_factory=list, max_length=2)


@router.put("/sen2/persons/{case_id}", responses=ERRORS)
def put_sen2_person(
    case_id: int, body: Sen2PersonPut, svc: ServicesDep, actor: ActorDep
) -> dict[str, Any]:
    """The SEN2 module 1 items the workflow does not record, and the types of need."""
    require(actor, "sen2.edit")
    check_case(svc, actor, case_id)
    return sen2.set_person(svc, case_id, sen2.PersonIn(**body.model_dump()))


@router.get("/sen2/report", responses=ERRORS)
def read_sen2_report(
    svc: ServicesDep, actor: ActorDep, year: Annotated[int, Query(ge=2015, le=2100)]
) -> dict[str, Any]:
    """The data-quality report of the year's SEN2 return: every case that would fail or be
    queried, with the rule, the reason and a link."""
    require(actor, "sen2.export")
    return sen2.quality_report(svc, year)

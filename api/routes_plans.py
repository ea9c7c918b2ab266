"""/api/v1/cases/{id}/plan-versions: the plan itself, sections A–K, drafted, checked, issued,
amended and rendered (PDF and DOCX), with the differences between versions."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from api.deps import ActorDep, ClientDep, ServicesDep
from api.plan_schemas import CheckOut, DiffOut, IssuePost, PlanVersionOut, PlanVersionPut
from api.plan_schemas import PlanVersionSummary as Summary
from api.schemas import DB_INT_MAX, ErrorOut
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.services import plan_documents, plan_docx, plan_progress, plans
from ehcp_engine.services.access import (
    check_case,
    check_plan_diff,
    check_plan_version,
    readable_versions,
    record_read,
)
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1/cases", tags=["plans"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 413, 415, 422)
}
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
VERSIONS = "/{case_id}/plan-versions"
# The version id is digits only, so "/3.pdf" never reaches the JSON routes of "/{version_id}".
ONE = VERSIONS + "/{version_id:int}"


def _known(*ids: int) -> None:
    if not all(1 <= i <= DB_INT_MAX for i in ids):
        raise NotFound("no such case or plan version")


class Read(NamedTuple):
    """What a request reads: a case's versions, one version, or one compared with another."""

    case_id: int
    version_id: int | None = None
    compare: bool = False
    against: int | None = None


def _reading(svc: Services, actor: Actor, client: str | None, read: Read, what: str) -> None:
    """Plan content is the child's record: scoped like the case (and, for QA, to the sampled
    versions: services/access.py), and every read logged."""
    require(actor, "plan.read")
    if read.version_id is None:
        check_case(svc, actor, read.case_id)
    elif read.compare:
        check_plan_diff(svc, actor, read.case_id, read.version_id, read.against)
    else:
        check_plan_version(svc, actor, read.case_id, read.version_id)
    record_read(svc, actor, what, read.case_id, client)


def _editing(svc: Services, actor: Actor, case_id: int) -> None:
    require(actor, "plan.edit")
    check_case(svc, actor, case_id)


def json_only(request: Request, actor: ActorDep) -> None:
    """Plan content is uploaded as JSON; anything else (a form, a file) is refused (415), after
    the caller is known (an anonymous caller gets 401 whatever it sends)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, f"send the plan as application/json, not '{kind or 'nothing'}'")


def _file(data: bytes, media_type: str, filename: str, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content=data,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@router.get(VERSIONS, response_model=list[Summary], responses=ERRORS)
def list_versions(
    case_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> list[dict[str, Any]]:
    """Every version of the case's plan, oldest first."""
    _known(case_id)
    _reading(svc, actor, client, Read(case_id), "list plan versions")
    readable = readable_versions(svc, actor, case_id)
    return [v for v in plans.list_versions(svc, case_id) if v["id"] in readable]


@router.post(
    VERSIONS, status_code=status.HTTP_201_CREATED, response_model=PlanVersionOut, responses=ERRORS
)
def new_version(case_id: int, svc: ServicesDep, actor: ActorDep) -> dict[str, Any]:
    """Start the next version (the current draft): a copy of the latest issued version, or empty,
    with Section K filled from the advice received. 409 while another version is being edited."""
    _known(case_id)
    _editing(svc, actor, case_id)
    return plans.new_version(svc, case_id, actor)


@router.get(ONE + ".pdf", response_class=Response, responses=ERRORS | {200: {"content": {PDF: {}}}})
def version_pdf(
    case_id: int, version_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> Response:
    """The version as an accessible (tagged) PDF, with the authority's name and logo."""
    _known(case_id, version_id)
    _reading(svc, actor, client, Read(case_id, version_id), f"plan version {version_id} as PDF")
    data, name = plan_documents.render_pdf(svc, case_id, version_id)
    return _file(data, PDF, name, inline=True)


@router.get(
    ONE + ".docx", response_class=Response, responses=ERRORS | {200: {"content": {DOCX: {}}}}
)
def version_docx(
    case_id: int, version_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> Response:
    """The version as a Word document, a heading per section."""
    _known(case_id, version_id)
    _reading(svc, actor, client, Read(case_id, version_id), f"plan version {version_id} as DOCX")
    data, name = plan_docx.render_docx(svc, case_id, version_id)
    return _file(data, DOCX, name, inline=False)


@router.get(ONE, response_model=PlanVersionOut, responses=ERRORS)
def read_version(
    case_id: int, version_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> dict[str, Any]:
    """A version's sections A–K, the checks on it, and the review ratings of its outcomes."""
    _known(case_id, version_id)
    _reading(svc, actor, client, Read(case_id, version_id), f"plan version {version_id}")
    view = plans.version_view(svc, case_id, version_id)
    view["progress"] = plan_progress.version_progress(svc, case_id, version_id)
    return view


@router.put(
    ONE,
    response_model=PlanVersionOut,
    responses=ERRORS,
    dependencies=[Depends(json_only)],
)
def edit_version(
    case_id: int, version_id: int, body: PlanVersionPut, svc: ServicesDep, actor: ActorDep
) -> dict[str, Any]:
    """Replace the sections of the version being edited. 422 names the field at fault; an
    issued version is refused (409): start a new version instead."""
    _known(case_id, version_id)
    _editing(svc, actor, case_id)
    return plans.update_version(svc, case_id, version_id, body.content.as_json(), actor)


@router.get(ONE + "/checks", response_model=list[CheckOut], responses=ERRORS)
def version_checks(
    case_id: int, version_id: int, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> list[dict[str, Any]]:
    """What an officer should see before issuing: warnings, and blocks where the law requires."""
    _known(case_id, version_id)
    _reading(svc, actor, client, Read(case_id, version_id), f"checks of plan version {version_id}")
    return plans.version_checks(svc, case_id, version_id)


@router.post(
    ONE + "/issue",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanVersionOut,
    responses=ERRORS,
)
def issue_version(
    case_id: int, version_id: int, body: IssuePost, svc: ServicesDep, actor: ActorDep
) -> dict[str, Any]:
    """Issue the version: records draft_plan_served, final_plan_issued or amended_plan_issued
    through the write path (409 with the reason when the case's stage refuses it)."""
    _known(case_id, version_id)
    _editing(svc, actor, case_id)
    require(actor, "case.event")
    issue = plans.IssueIn(
        occurred_on=body.occurred_on,
        kind=body.kind,
        names_next_setting=body.names_next_setting,
        expected_version=body.expected_version,
    )
    return plans.issue_version(svc, case_id, version_id, issue, actor)


Against = Annotated[int | None, Query(ge=1, le=DB_INT_MAX, description="the version compared")]


@router.get(ONE + "/diff", response_model=DiffOut, responses=ERRORS)
def version_diff(
    case_id: int,
    version_id: int,
    svc: ServicesDep,
    actor: ActorDep,
    client: ClientDep,
    against: Against = None,
) -> dict[str, Any]:
    """What changed, section by section, from `against` (default: the version this one is
    based on), with the changes in words for the review decision's proposed_amendments."""
    _known(case_id, version_id)
    what = f"differences of plan version {version_id}"
    _reading(svc, actor, client, Read(case_id, version_id, True, against), what)
    return plan_documents.diff_view(svc, case_id, version_id, against)


@router.get(
    ONE + "/amendments-notice.pdf",
    response_class=Response,
    responses=ERRORS | {200: {"content": {PDF: {}}}},
)
def amendments_notice(
    case_id: int,
    version_id: int,
    svc: ServicesDep,
    actor: ActorDep,
    client: ClientDep,
    against: Against = None,
) -> Response:
    """The proposed-amendments notice (Reg 22(2)): the changes from the plan in force."""
    _known(case_id, version_id)
    what = f"amendments notice of plan version {version_id}"
    _reading(svc, actor, client, Read(case_id, version_id, True, against), what)
    data, name = plan_documents.amendments_notice_pdf(svc, case_id, version_id, against)
    return _file(data, PDF, name, inline=True)

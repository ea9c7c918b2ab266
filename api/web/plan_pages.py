"""The plan's pages for case officers and managers: its versions, one version's sections A–K
with the checks on it, what changed from the version before, the PDF and Word documents, and
issuing it (which records draft_plan_served, final_plan_issued or amended_plan_issued through the
one write path, as POST /api/v1/cases/{id}/plan-versions/{v}/issue does).

Reads are scoped and access-logged like the JSON API's (services/access.py); editing the
sections is in plan_section_pages.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.web.date_fields import date_field, read_date
from api.web.deps import CsrfDep, SignedInDep, client_of, services_of
from api.web.plan_forms import EDITABLE, LIST_SECTIONS, section_title
from api.web.templating import render
from ehcp_engine.domain.errors import DomainError, EventInvalid
from ehcp_engine.domain.plan_content import AREA_LABELS, PFA_LABELS
from ehcp_engine.services import plan_documents, plan_docx, plans
from ehcp_engine.services.access import (
    check_case,
    check_plan_diff,
    check_plan_version,
    readable_versions,
    record_read,
)
from ehcp_engine.services.cases import case_view
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.policy import allowed, require

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
BASE = "/cases/{case_id}/plan"
ONE = BASE + "/{version_id:int}"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND_NAMES = {"draft": "Draft plan", "final": "Final plan", "amended": "Amended plan"}


def reading(
    request: Request, actor: Actor, case_id: int, version_id: int | None, what: str
) -> Services:
    """The plan is the child's record: the case's scope (for QA, its sampled versions) and an
    access-log entry for every read."""
    svc = services_of(request)
    require(actor, "plan.read")
    if version_id is None:
        check_case(svc, actor, case_id)
    else:
        check_plan_version(svc, actor, case_id, version_id)
    record_read(svc, actor, what, case_id, client_of(request))
    return svc


def editing(request: Request, actor: Actor, case_id: int) -> Services:
    svc = services_of(request)
    require(actor, "plan.edit")
    check_case(svc, actor, case_id)
    return svc


def case_heading(svc: Services, case_id: int) -> dict[str, Any]:
    view = case_view(svc, case_id)
    child = view["child"]
    return {
        "id": case_id,
        "reference": view.get("reference") or str(case_id),
        "child_name": f"{child['given_name']} {child['family_name']}",
        "version": view["version"],
    }


def version_title(v: dict[str, Any]) -> str:
    return f"Version {v['number']}: {KIND_NAMES.get(v['kind'], v['kind'])}"


@router.get(BASE)
def versions_page(request: Request, user: SignedInDep, case_id: Id) -> Response:
    svc = reading(request, user.actor, case_id, None, "list plan versions (web)")
    readable = readable_versions(svc, user.actor, case_id)
    versions = [v for v in plans.list_versions(svc, case_id) if v["id"] in readable]
    context = {
        "case": case_heading(svc, case_id),
        "versions": versions,
        "titles": {v["id"]: version_title(v) for v in versions},
        "may_edit": allowed(user.actor, "plan.edit"),
        "editing": [v for v in versions if v["status"] == "editing"],
    }
    return render(request, "plan/versions.html", context)


@router.post(BASE, dependencies=[CsrfDep])
def start_version(request: Request, user: SignedInDep, case_id: Id) -> Response:
    svc = editing(request, user.actor, case_id)
    try:
        made = plans.new_version(svc, case_id, user.actor)
    except DomainError as refusal:
        return _versions_problem(request, user.actor, case_id, str(refusal))
    return RedirectResponse(f"/cases/{case_id}/plan/{made['id']}", status_code=303)


def _versions_problem(request: Request, actor: Actor, case_id: int, problem: str) -> Response:
    svc = services_of(request)
    versions = plans.list_versions(svc, case_id)
    context = {
        "case": case_heading(svc, case_id),
        "versions": versions,
        "titles": {v["id"]: version_title(v) for v in versions},
        "may_edit": True,
        "editing": [v for v in versions if v["status"] == "editing"],
        "problem": problem,
    }
    return render(request, "plan/versions.html", context, status_code=409)


Done = Annotated[str | None, Query(max_length=10, description="what was just done")]


@router.get(ONE)
def version_page(
    request: Request,
    user: SignedInDep,
    case_id: Id,
    version_id: Id,
    issued: Done = None,
    saved: Done = None,
) -> Response:
    svc = reading(request, user.actor, case_id, version_id, f"plan version {version_id} (web)")
    view = plans.version_view(svc, case_id, version_id)
    context = {
        "case": case_heading(svc, case_id),
        "v": view,
        "title": version_title(view),
        "content": view["content"],
        "sections": EDITABLE,
        "list_sections": LIST_SECTIONS,
        "section_title": section_title,
        "areas": AREA_LABELS,
        "pfa": PFA_LABELS,
        "blocking": [c for c in view["checks"] if c["blocking"]],
        "warnings": [c for c in view["checks"] if not c["blocking"]],
        "may_edit": allowed(user.actor, "plan.edit") and view["status"] == "editing",
        "issued": issued is not None,
        "saved": saved if saved in EDITABLE else None,
    }
    return render(request, "plan/version.html", context)


@router.get(ONE + ".pdf")
def version_pdf(request: Request, user: SignedInDep, case_id: Id, version_id: Id) -> Response:
    svc = reading(request, user.actor, case_id, version_id, f"plan version {version_id} as PDF")
    data, name = plan_documents.render_pdf(svc, case_id, version_id)
    return _file(data, PDF, name)


@router.get(ONE + ".docx")
def version_docx(request: Request, user: SignedInDep, case_id: Id, version_id: Id) -> Response:
    svc = reading(request, user.actor, case_id, version_id, f"plan version {version_id} as DOCX")
    data, name = plan_docx.render_docx(svc, case_id, version_id)
    return _file(data, DOCX, name)


def _file(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(ONE + "/changes")
def changes_page(request: Request, user: SignedInDep, case_id: Id, version_id: Id) -> Response:
    svc = services_of(request)
    require(user.actor, "plan.read")
    check_plan_diff(svc, user.actor, case_id, version_id, None)
    record_read(
        svc, user.actor, f"changes in plan version {version_id} (web)", case_id, client_of(request)
    )
    try:
        diff = plan_documents.diff_view(svc, case_id, version_id)
    except EventInvalid:
        diff = None  # the first version: nothing to compare with
    view = plans.version_view(svc, case_id, version_id)
    context = {
        "case": case_heading(svc, case_id),
        "v": view,
        "title": version_title(view),
        "diff": diff,
    }
    return render(request, "plan/changes.html", context)


@router.get(ONE + "/issue")
def issue_page(request: Request, user: SignedInDep, case_id: Id, version_id: Id) -> Response:
    svc = editing(request, user.actor, case_id)
    require(user.actor, "case.event")
    record_read(
        svc, user.actor, f"plan version {version_id} to issue (web)", case_id, client_of(request)
    )
    view = plans.version_view(svc, case_id, version_id)
    form = {"on": date_field(svc.clock.today()), "kind": view["kind"], "names_next_setting": False}
    return _issue_form(request, svc, case_id, view, form)


def _issue_form(
    request: Request,
    svc: Services,
    case_id: int,
    view: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "case": case_heading(svc, case_id),
        "v": view,
        "title": version_title(view),
        "form": form,
        "kinds": KIND_NAMES,
        "blocking": [c for c in view["checks"] if c["blocking"]],
        "warnings": [c for c in view["checks"] if not c["blocking"]],
        "errors": errors or {},
        "problem": problem,
    }
    return render(request, "plan/issue.html", context, status_code=status_code)


@router.post(ONE + "/issue", dependencies=[CsrfDep])
async def issue(request: Request, user: SignedInDep, case_id: Id, version_id: Id) -> Response:
    svc = editing(request, user.actor, case_id)
    require(user.actor, "case.event")
    posted = await request.form()
    on = read_date(posted, "on", "the date it was sent or issued")
    kind = str(posted.get("kind") or "")
    form = {"on": on, "kind": kind, "names_next_setting": posted.get("names_next_setting") == "yes"}
    view = plans.version_view(svc, case_id, version_id)
    errors = {"on": on.error} if on.error else {}
    if kind not in KIND_NAMES:
        errors["kind"] = "Select what is being issued"
    expected = str(posted.get("case_version") or "")
    if errors or on.value is None:
        return _issue_form(request, svc, case_id, view, form, errors, status_code=400)
    issue_in = plans.IssueIn(
        occurred_on=on.value,
        kind=kind,
        names_next_setting=bool(form["names_next_setting"]),
        expected_version=int(expected) if expected.isdigit() else None,
    )
    try:
        plans.issue_version(svc, case_id, version_id, issue_in, user.actor)
    except EventInvalid as invalid:
        problems = [message for _field, message in invalid.errors]
        return _issue_form(
            request, svc, case_id, view, form, problem="; ".join(problems), status_code=400
        )
    except DomainError as refusal:
        return _issue_form(request, svc, case_id, view, form, problem=str(refusal), status_code=409)
    return RedirectResponse(f"/cases/{case_id}/plan/{version_id}?issued=1", status_code=303)

"""The QA panel's pages: the rounds and my sample, a round's sample with its status, one sampled
plan to read beside the marking form built from the rubric (config/qa_rubric.toml), moderation,
and a round's results. Managers (and panel members) may start a round.

Every decision is the services': policy.py says who may mark, moderate and start rounds;
access.py says which plan versions a QA user may read (only sampled ones); qa.py records marks.
Each plan read is access-logged, as on the JSON API.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from api.web.date_fields import date_field, read_date
from api.web.deps import CsrfDep, SignedInDep, services_of
from api.web.qa_marking import marks_from_form, marks_page
from api.web.templating import render
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.services import qa, qa_panel
from ehcp_engine.services.policy import allowed, require
from ehcp_engine.services.web_sessions import SignedIn

router = APIRouter(include_in_schema=False)
RoundId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
ItemId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
# ?names=hidden: the plan without the child's name and date of birth (a pseudonymised view).
Names = Literal["hidden", "shown"] | None
NOTICES = {
    "started": "The QA round has started and its sample is drawn.",
    "marked": "Your marks are saved.",
    "moderated": "The moderated result is saved.",
}


@router.get("/qa")
def qa_index(request: Request, user: SignedInDep) -> Response:
    actor = user.actor
    require(actor, "qa.score")
    svc = services_of(request)
    context = {
        "rounds": qa_panel.list_rounds(svc, actor),
        "sample": qa_panel.my_sample(svc, actor),
        "may_start": allowed(actor, "qa.run"),
    }
    return render(request, "qa/index.html", context)


def _round_form(request: Request, fields: dict[str, Any], status: int = 200) -> Response:
    return render(request, "qa/new_round.html", fields, status_code=status)


@router.get("/qa/rounds/new")
def new_round_page(request: Request, user: SignedInDep) -> Response:
    require(user.actor, "qa.run")
    today = services_of(request).clock.today()
    last_month_end = today.replace(day=1).toordinal() - 1
    end = today.fromordinal(last_month_end)
    fields = {"start": date_field(end.replace(day=1)), "end": date_field(end), "form": {}}
    return _round_form(request, fields)


def _whole(text: str, field: str, errors: dict[str, str], *, lo: int, hi: int) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not lo <= int(text) <= hi:
        errors[field] = f"Enter a whole number from {lo} to {hi}"
        return None
    return int(text)


def _round_spec(form: dict[str, str]) -> tuple[qa.RoundIn | None, dict[str, Any]]:
    """The round asked for, or the errors (keyed by the field's id) and what was typed."""
    start = read_date(form, "start", "the first day of the period")
    end = read_date(form, "end", "the last day of the period")
    # Keyed by the first box's id: the error summary links to it.
    errors = {f"{k}-day": d.error for k, d in (("start", start), ("end", end)) if d.error}
    size = _whole(form.get("size", ""), "size", errors, lo=1, hi=10_000)
    seed = _whole(form.get("seed", ""), "seed", errors, lo=0, hi=ROW_ID_MAX)
    percent = None
    if form.get("percent"):
        try:
            percent = float(form["percent"])
        except ValueError:
            percent = -1.0
        if not 0 < percent <= 100:
            errors["percent"] = "Enter a percentage above 0 and no more than 100"
    if "size" not in errors and "percent" not in errors and (size is None) == (percent is None):
        errors["size"] = "Enter how many plans to sample, or a percentage, but not both"
    if start.value and end.value and end.value < start.value:
        errors["end-day"] = "The last day must be the same as or after the first day"
    name = form.get("name", "").strip()
    if len(name) > 200:
        errors["name"] = "The round's name must be 200 characters or fewer"
    fields: dict[str, Any] = {"start": start, "end": end, "form": form, "errors": errors}
    if errors or start.value is None or end.value is None:
        return None, fields
    return qa.RoundIn(start.value, end.value, size, percent, seed, name or None), fields


@router.post("/qa/rounds/new", dependencies=[CsrfDep])
async def start_round(request: Request, user: SignedInDep) -> Response:
    require(user.actor, "qa.run")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    spec, fields = _round_spec(form)
    if spec is None:
        return _round_form(request, fields, 400)
    svc = services_of(request)
    try:
        round_id = await run_in_threadpool(qa.create_round, svc, user.actor, spec)
    except EventInvalid as err:
        fields["errors"] = {_round_field(f): m for f, m in err.errors}
        return _round_form(request, fields, 400)
    return RedirectResponse(f"/qa/rounds/{round_id}?status=started", status_code=303)


def _round_field(service_field: str) -> str:
    return {"to": "end-day", "from": "start-day"}.get(service_field, service_field)


@router.get("/qa/rounds/{round_id}")
def round_page(
    request: Request, user: SignedInDep, round_id: RoundId, status: str | None = None
) -> Response:
    actor = user.actor
    require(actor, "qa.score")
    svc = services_of(request)
    view = qa.round_view(svc, round_id)
    officers = qa_panel.people(svc, (i["officer_id"] for i in view["items"]))
    context = {
        "round": view,
        "officers": officers,
        "me": actor.user_id,
        "may_moderate": allowed(actor, "qa.run"),
        "notice": NOTICES.get(status or ""),
    }
    return render(request, "qa/round.html", context)


@router.get("/qa/rounds/{round_id}/items/{item_id}")
def item_page(
    request: Request, user: SignedInDep, round_id: RoundId, item_id: ItemId, names: Names = None
) -> Response:
    require(user.actor, "qa.score")
    hide = names == "hidden"
    return marks_page(request, user, round_id, item_id, moderation=False, hide_names=hide)


@router.post("/qa/rounds/{round_id}/items/{item_id}", dependencies=[CsrfDep])
async def mark_item(
    request: Request, user: SignedInDep, round_id: RoundId, item_id: ItemId
) -> Response:
    require(user.actor, "qa.score")
    form = await request.form()
    return await run_in_threadpool(_save, request, user, (round_id, item_id), form, False)


@router.get("/qa/rounds/{round_id}/items/{item_id}/moderation")
def moderation_page(
    request: Request, user: SignedInDep, round_id: RoundId, item_id: ItemId, names: Names = None
) -> Response:
    require(user.actor, "qa.run")
    hide = names == "hidden"
    return marks_page(request, user, round_id, item_id, moderation=True, hide_names=hide)


@router.post("/qa/rounds/{round_id}/items/{item_id}/moderation", dependencies=[CsrfDep])
async def moderate_item(
    request: Request, user: SignedInDep, round_id: RoundId, item_id: ItemId
) -> Response:
    require(user.actor, "qa.run")
    form = await request.form()
    return await run_in_threadpool(_save, request, user, (round_id, item_id), form, True)


def _save(
    request: Request, user: SignedIn, at: tuple[int, int], form: Any, moderation: bool
) -> Response:
    """Check the form against the rubric; save through services/qa.py, or show the form again
    with each mistake (nothing is saved when anything is wrong)."""
    round_id, item_id = at
    svc = services_of(request)
    item = qa_panel.item_for_marking(svc, round_id, item_id)
    marks, typed, errors = marks_from_form(item, form, user.actor.user_id or 0)
    if marks is not None:
        record = qa.moderate if moderation else qa.score
        try:
            record(svc, user.actor, round_id, item_id, marks)
        except EventInvalid as err:
            errors = {_marks_field(f): m for f, m in err.errors}
        else:
            status = "moderated" if moderation else "marked"
            return RedirectResponse(f"/qa/rounds/{round_id}?status={status}", status_code=303)
    hide = form.get("names") == "hidden"
    return marks_page(
        request,
        user,
        round_id,
        item_id,
        moderation=moderation,
        hide_names=hide,
        typed=typed,
        errors=errors,
    )


def _marks_field(service_field: str) -> str:
    return "rating-" + service_field.removeprefix("ratings.") if "." in service_field else "overall"


@router.get("/qa/rounds/{round_id}/results")
def results_page(request: Request, user: SignedInDep, round_id: RoundId) -> Response:
    require(user.actor, "qa.run")
    svc = services_of(request)
    view = qa.round_view(svc, round_id)
    found = qa.round_results(svc, round_id)
    rubric = qa.rubric(svc)
    context = {
        "round": view,
        "results": found,
        "labels": rubric.labels,
        "teams": qa_panel.team_names(svc),
        "officers": {str(k): v for k, v in qa_panel.people(svc, _officer_ids(found)).items()},
    }
    return render(request, "qa/results.html", context)


def _officer_ids(found: dict[str, Any]) -> list[int]:
    return [int(k) for k in found["by_officer"] if k.isdigit()]

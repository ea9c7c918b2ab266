"""Administration: users (list, add with role, team and organisation, deactivate, the channels
messages reach them on), teams, contributing organisations, and messages that failed.

Administrators manage accounts; they do not read children's records (services/policy.py), so no
page here shows a child's name: a failed message is shown by case reference, recipient and error
(services/directory.py leaves its subject and body out).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import RedirectResponse, Response

from api.web.deps import CsrfDep, SignedInDep, client_of, services_of
from api.web.templating import render
from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.services import directory, messages
from ehcp_engine.services.password_reset import request_reset
from ehcp_engine.services.policy import allowed, require
from ehcp_engine.services.users import ROLES, create_user
from ehcp_engine.services.web_sessions import SignedIn

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=5000)]
UserId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
ROLE_LABELS = {
    "officer": "Case officer",
    "manager": "Team manager",
    "contributor": "Contributor (gives advice)",
    "qa": "QA panel member",
    "admin": "Administrator",
}
NOTICES = {
    "added": "The user has been added. We have emailed them a link to choose a password.",
    "deactivated": "The account is deactivated: its sessions and API tokens no longer work.",
    "reactivated": "The account is active again.",
    "channels": "The user's message settings are saved.",
    "team": "The team has been added.",
    "organisation": "The organisation has been added.",
    "retried": "The message is queued to be sent again.",
}


def _admin(user: SignedIn, permission: str = "users.admin") -> None:
    require(user.actor, permission)


@router.get("/admin")
def admin_index(request: Request, user: SignedInDep) -> Response:
    _admin(user)
    svc = services_of(request)
    context = {
        "users": len(directory.list_users(svc)),
        "teams": len(directory.list_teams(svc)),
        "organisations": len(directory.list_organisations(svc)),
        "may_see_messages": allowed(user.actor, "messages.admin"),
        "failed": len(directory.failed_messages(svc)),
    }
    return render(request, "admin/index.html", context)


@router.get("/admin/users")
def users_page(request: Request, user: SignedInDep, status: str | None = None) -> Response:
    _admin(user)
    context = {
        "users": directory.list_users(services_of(request)),
        "roles": ROLE_LABELS,
        "notice": NOTICES.get(status or ""),
    }
    return render(request, "admin/users.html", context)


def _user_form(request: Request, form: dict[str, str], errors: dict[str, str]) -> Response:
    svc = services_of(request)
    context = {
        "form": form,
        "errors": errors,
        "roles": ROLE_LABELS,
        "teams": directory.list_teams(svc),
        "organisations": directory.list_organisations(svc),
    }
    return render(request, "admin/user_new.html", context, status_code=400 if errors else 200)


@router.get("/admin/users/new")
def new_user_page(request: Request, user: SignedInDep) -> Response:
    _admin(user)
    return _user_form(request, {}, {})


def _choice(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) <= ROW_ID_MAX else None


def _check_new_user(form: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = "Enter the person's full name"
    elif len(form["name"]) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    email = form["email"]
    if not email:
        errors["email"] = "Enter their work email address"
    elif "@" not in email.strip("@") or " " in email or len(email) > 320:
        errors["email"] = "Enter an email address in the correct format, like name@example.gov.uk"
    if form["role"] not in ROLES:
        errors["role"] = "Choose what the person does in the service"
    elif form["role"] == "contributor" and not form["organisation_id"]:
        errors["organisation_id"] = "Choose the organisation a contributor gives advice for"
    return errors


@router.post("/admin/users/new", dependencies=[CsrfDep])
def add_user(
    request: Request,
    user: SignedInDep,
    name: FormText = "",
    email: FormText = "",
    role: FormText = "",
    team_id: FormText = "",
    organisation_id: FormText = "",
) -> Response:
    _admin(user)
    form = {
        "name": " ".join(name.split()),
        "email": email.strip().lower(),
        "role": role,
        "team_id": team_id,
        "organisation_id": organisation_id,
    }
    errors = _check_new_user(form)
    if errors:
        return _user_form(request, form, errors)
    svc = services_of(request)
    try:
        create_user(
            svc,
            form["email"],
            role,
            form["name"],
            team_id=_choice(team_id),
            organisation_id=_choice(organisation_id),
        )
    except EventInvalid as err:
        return _user_form(request, form, _user_errors(err))
    request_reset(svc, form["email"], client_of(request))
    return RedirectResponse("/admin/users?status=added", status_code=303)


def _user_errors(err: EventInvalid) -> dict[str, str]:
    words = {
        "email": "There is already an account with this email address",
        "team_id": "Choose a team from the list",
        "organisation_id": "Choose an organisation from the list",
    }
    return {field: words.get(field, message) for field, message in err.errors}


def _user_page(
    request: Request,
    user_id: int,
    form: dict[str, Any] | None,
    errors: dict[str, str],
    status: str | None = None,
) -> Response:
    found = directory.get_user(services_of(request), user_id)
    context = {
        "person": found,
        "roles": ROLE_LABELS,
        "form": form or {"channels": found["channels"], "phone": found["phone"] or ""},
        "errors": errors,
        "notice": NOTICES.get(status or ""),
    }
    return render(request, "admin/user.html", context, status_code=400 if errors else 200)


@router.get("/admin/users/{user_id}")
def user_page(
    request: Request, user: SignedInDep, user_id: UserId, status: str | None = None
) -> Response:
    _admin(user)
    return _user_page(request, user_id, None, {}, status)


@router.post("/admin/users/{user_id}/channels", dependencies=[CsrfDep])
async def change_channels(request: Request, user: SignedInDep, user_id: UserId) -> Response:
    _admin(user)
    form = await request.form()
    channels = [c for c in form.getlist("channels") if isinstance(c, str)]
    phone = form.get("phone")
    phone = phone[:40] if isinstance(phone, str) else ""
    try:
        directory.set_user_channels(services_of(request), user_id, channels, phone)
    except EventInvalid as err:
        errors = {field: message for field, message in err.errors}
        return _user_page(request, user_id, {"channels": channels, "phone": phone}, errors)
    return RedirectResponse(f"/admin/users/{user_id}?status=channels", status_code=303)


@router.post("/admin/users/{user_id}/active", dependencies=[CsrfDep])
def change_active(
    request: Request, user: SignedInDep, user_id: UserId, active: FormText = ""
) -> Response:
    _admin(user)
    wanted = active == "yes"
    try:
        directory.set_active(services_of(request), user.actor, user_id, wanted)
    except EventInvalid as err:
        return _user_page(request, user_id, None, {"active": err.errors[0][1]})
    status = "reactivated" if wanted else "deactivated"
    return RedirectResponse(f"/admin/users/{user_id}?status={status}", status_code=303)


def _places(
    request: Request,
    kind: str,
    form: dict[str, str],
    errors: dict[str, str],
    status: str | None = None,
) -> Response:
    svc = services_of(request)
    found = directory.list_teams(svc) if kind == "teams" else directory.list_organisations(svc)
    context = {
        "rows": found,
        "form": form,
        "errors": errors,
        "kinds": directory.ORGANISATION_KINDS,
        "notice": NOTICES.get(status or ""),
    }
    return render(request, f"admin/{kind}.html", context, status_code=400 if errors else 200)


@router.get("/admin/teams")
def teams_page(request: Request, user: SignedInDep, status: str | None = None) -> Response:
    _admin(user)
    return _places(request, "teams", {}, {}, status)


@router.post("/admin/teams", dependencies=[CsrfDep])
def add_team(request: Request, user: SignedInDep, name: FormText = "") -> Response:
    _admin(user)
    try:
        directory.create_team(services_of(request), name)
    except EventInvalid as err:
        return _places(request, "teams", {"name": name}, dict(err.errors))
    return RedirectResponse("/admin/teams?status=team", status_code=303)


@router.get("/admin/organisations")
def organisations_page(request: Request, user: SignedInDep, status: str | None = None) -> Response:
    _admin(user)
    return _places(request, "organisations", {}, {}, status)


@router.post("/admin/organisations", dependencies=[CsrfDep])
def add_organisation(
    request: Request,
    user: SignedInDep,
    name: FormText = "",
    kind: FormText = "",
    email: FormText = "",
    manager_email: FormText = "",
) -> Response:
    _admin(user)
    form = {"name": name, "kind": kind, "email": email, "manager_email": manager_email}
    try:
        directory.create_organisation(services_of(request), name, kind, email, manager_email)
    except EventInvalid as err:
        return _places(request, "organisations", form, dict(err.errors))
    return RedirectResponse("/admin/organisations?status=organisation", status_code=303)


@router.get("/admin/notifications")
def failed_page(request: Request, user: SignedInDep, status: str | None = None) -> Response:
    _admin(user, "messages.admin")
    context = {
        "failed": directory.failed_messages(services_of(request)),
        "notice": NOTICES.get(status or ""),
    }
    return render(request, "admin/notifications.html", context)


@router.post("/admin/notifications/{message_id}/retry", dependencies=[CsrfDep])
def retry_message(request: Request, user: SignedInDep, message_id: UserId) -> Response:
    """Put a failed message back in the queue (the same service call as the JSON API's)."""
    _admin(user, "messages.admin")
    # Already retried (another admin, or a second click): nothing more to do.
    with suppress(EventInvalid):
        messages.retry(services_of(request), message_id)
    return RedirectResponse("/admin/notifications?status=retried", status_code=303)

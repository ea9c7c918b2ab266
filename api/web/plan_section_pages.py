"""Editing a plan version's sections from the web: Sections A, I and J as one form each; the list
sections (B–H2) as a list of items, each added, changed or removed on its own form, so every
page works without JavaScript.

Every save replaces the version's content through `plans.update_version`, which validates it
(field types, cross references between provision and the needs and outcomes it names, outcome
framework headings) and refuses an issued version; its errors come back beside the fields.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from api.web.deps import CsrfDep, SignedInDep
from api.web.plan_forms import (
    EDITABLE,
    FORM_SECTIONS,
    LIST_SECTIONS,
    SECTION_FIELDS,
    Field,
    as_form,
    field_errors,
    from_form,
    item_fields,
    section_title,
)
from api.web.plan_pages import ONE, Done, case_heading, editing, version_title
from api.web.templating import render
from ehcp_engine.domain.errors import EventInvalid, NotFound
from ehcp_engine.services import plans
from ehcp_engine.services.context import Services

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Index = Annotated[int, Path(ge=1, le=200)]
SECTION = ONE + "/sections/{section}"
ITEM_NAMES = {"b": "need", "c": "health need", "d": "social care need", "e": "outcome"}


def _section(section: str) -> str:
    if section not in EDITABLE:
        raise NotFound(f"no section {section}")
    return section


def _open(
    request: Request, user: Any, case_id: int, version_id: int, _checked_section: str
) -> tuple[Services, dict[str, Any]]:
    """The services and the version, once the user may edit the case, the section exists (the
    caller checked it) and the version is still being edited."""
    svc = editing(request, user.actor, case_id)
    return svc, _editable_version(svc, case_id, version_id)


def _editable_version(svc: Services, case_id: int, version_id: int) -> dict[str, Any]:
    view = plans.version_view(svc, case_id, version_id)
    if view["status"] != "editing":
        raise NotFound(f"plan version {view['number']} is {view['status']}: it cannot be edited")
    return view


def _framework(svc: Services) -> tuple[str, ...]:
    return plans.framework(svc).headings


def _fields(svc: Services, section: str, content: dict[str, Any]) -> tuple[Field, ...]:
    if section in FORM_SECTIONS:
        return SECTION_FIELDS[section]
    return item_fields(section, content, _framework(svc))


def item_name(section: str) -> str:
    return ITEM_NAMES.get(section, "provision item")


@router.get(SECTION)
def section_page(
    request: Request,
    user: SignedInDep,
    case_id: Id,
    version_id: Id,
    section: str,
    saved: Done = None,
    removed: Done = None,
) -> Response:
    return _section_page(request, user, case_id, version_id, section, saved, removed)


def _section_page(
    request: Request,
    user: Any,
    case_id: int,
    version_id: int,
    section: str,
    saved: str | None,
    removed: str | None,
) -> Response:
    svc, view = _open(request, user, case_id, version_id, _section(section))
    content = view["content"]
    if section in FORM_SECTIONS:
        values = as_form(SECTION_FIELDS[section], content[section])
        return _form(request, svc, case_id, view, section, None, values)
    context = {
        **_common(svc, case_id, view, section),
        "items": content[section],
        "item_name": item_name(section),
        "done": "Saved." if saved else ("Removed." if removed else None),
    }
    return render(request, "plan/section.html", context)


def _common(svc: Services, case_id: int, view: dict[str, Any], section: str) -> dict[str, Any]:
    return {
        "case": case_heading(svc, case_id),
        "v": view,
        "title": version_title(view),
        "section": section,
        "section_heading": section_title(section),
        "back": f"/cases/{case_id}/plan/{view['id']}",
    }


def _form(
    request: Request,
    svc: Services,
    case_id: int,
    view: dict[str, Any],
    section: str,
    index: int | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
) -> Response:
    fields = _fields(svc, section, view["content"])
    base = f"/cases/{case_id}/plan/{view['id']}/sections/{section}"
    if section in FORM_SECTIONS:
        action, heading = base, section_title(section)
    elif index is None:
        action, heading = f"{base}/items", f"Add a {item_name(section)}"
    else:
        action, heading = f"{base}/items/{index}", f"Change {item_name(section)} {index}"
    context = {
        **_common(svc, case_id, view, section),
        "fields": fields,
        "values": values,
        "action": action,
        "heading": heading,
        "errors": errors or {},
        "problem": problem,
    }
    return render(
        request, "plan/item_form.html", context, status_code=400 if errors or problem else 200
    )


@router.post(SECTION, dependencies=[CsrfDep])
async def save_section(
    request: Request, user: SignedInDep, case_id: Id, version_id: Id, section: str
) -> Response:
    svc = editing(request, user.actor, case_id)
    section = _section(section)
    if section not in FORM_SECTIONS:
        raise NotFound(f"section {section} is a list: add or change its items")
    view = _editable_version(svc, case_id, version_id)
    posted = await request.form()
    values = from_form(SECTION_FIELDS[section], posted, _multi(posted))
    content = copy.deepcopy(view["content"])
    content[section] = {**content[section], **values}
    return _save(request, user, svc, case_id, view, section, None, content, posted)


def _multi(posted: FormData) -> dict[str, list[str]]:
    return {key: [str(v) for v in posted.getlist(key)] for key in posted}


def _save(
    request: Request,
    user: Any,
    svc: Services,
    case_id: int,
    view: dict[str, Any],
    section: str,
    index: int | None,
    content: dict[str, Any],
    posted: FormData,
) -> Response:
    """Save the whole content; on a validation error show the form again with the messages
    beside the fields (errors elsewhere in the plan are listed above it)."""
    try:
        plans.update_version(svc, case_id, view["id"], content, user.actor)
    except EventInvalid as invalid:
        at = index - 1 if index is not None else len(content[section]) - 1
        prefix = f"content.{section}" + ("" if section in FORM_SECTIONS else f".{at}")
        mine, others = field_errors(invalid.errors, prefix)
        fields = _fields(svc, section, view["content"])
        values = {
            f.name: (
                _multi(posted).get(f.name, []) if f.kind == "checkboxes" else posted.get(f.name, "")
            )
            for f in fields
        }
        return _form(
            request, svc, case_id, view, section, index, values, mine, "; ".join(others) or None
        )
    back = f"/cases/{case_id}/plan/{view['id']}"
    target = back if section in FORM_SECTIONS else f"{back}/sections/{section}"
    return RedirectResponse(f"{target}?saved={section}", status_code=303)


@router.get(SECTION + "/items/new")
def new_item_page(
    request: Request, user: SignedInDep, case_id: Id, version_id: Id, section: str
) -> Response:
    svc, view = _open(request, user, case_id, version_id, _list_section(section))
    fields = _fields(svc, section, view["content"])
    values = as_form(fields, {"id": _next_id(section, view["content"][section])})
    return _form(request, svc, case_id, view, section, None, values)


def _list_section(section: str) -> str:
    if section not in LIST_SECTIONS:
        raise NotFound(f"section {section} has no items")
    return section


def _next_id(section: str, items: list[dict[str, Any]]) -> str:
    taken = {item["id"] for item in items}
    return next(
        f"{section.upper()}{n}"
        for n in range(1, len(items) + 2)
        if f"{section.upper()}{n}" not in taken
    )


@router.post(SECTION + "/items", dependencies=[CsrfDep])
async def add_item(
    request: Request, user: SignedInDep, case_id: Id, version_id: Id, section: str
) -> Response:
    svc, view = _open(request, user, case_id, version_id, _list_section(section))
    posted = await request.form()
    item = from_form(_fields(svc, section, view["content"]), posted, _multi(posted))
    content = copy.deepcopy(view["content"])
    content[section].append(item)
    return _save(request, user, svc, case_id, view, section, None, content, posted)


@router.get(SECTION + "/items/{index}")
def item_page(
    request: Request, user: SignedInDep, case_id: Id, version_id: Id, section: str, index: Index
) -> Response:
    svc, view = _open(request, user, case_id, version_id, _list_section(section))
    item = _item(view, section, index)
    values = as_form(_fields(svc, section, view["content"]), item)
    return _form(request, svc, case_id, view, section, index, values)


def _item(view: dict[str, Any], section: str, index: int) -> dict[str, Any]:
    items = view["content"][section]
    if index > len(items):
        raise NotFound(f"no item {index} in section {section}")
    return dict(items[index - 1])


@router.post(SECTION + "/items/{index}", dependencies=[CsrfDep])
async def change_item(
    request: Request, user: SignedInDep, case_id: Id, version_id: Id, section: str, index: Index
) -> Response:
    svc, view = _open(request, user, case_id, version_id, _list_section(section))
    _item(view, section, index)
    posted = await request.form()
    content = copy.deepcopy(view["content"])
    if posted.get("remove") == "yes":
        del content[section][index - 1]
        return _remove(request, user, svc, case_id, view, section, content)
    content[section][index - 1] = from_form(
        _fields(svc, section, view["content"]), posted, _multi(posted)
    )
    return _save(request, user, svc, case_id, view, section, index, content, posted)


def _remove(
    request: Request,
    user: Any,
    svc: Services,
    case_id: int,
    view: dict[str, Any],
    section: str,
    content: dict[str, Any],
) -> Response:
    """Remove an item; refused, with the reason on the section's page, while provision names it."""
    try:
        plans.update_version(svc, case_id, view["id"], content, user.actor)
    except EventInvalid as invalid:
        _mine, others = field_errors(invalid.errors, "-")
        context = {
            **_common(svc, case_id, view, section),
            "items": view["content"][section],
            "item_name": item_name(section),
            "problem": "This item cannot be removed while other parts of the plan name it. "
            + "; ".join(others),
        }
        return render(request, "plan/section.html", context, status_code=400)
    back = f"/cases/{case_id}/plan/{view['id']}/sections/{section}"
    return RedirectResponse(f"{back}?removed=1", status_code=303)

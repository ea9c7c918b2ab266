"""One sampled plan on the QA pages: the plan version to read (sections A–K, access-checked and
logged) beside the marking form the rubric generates, or the markers' marks beside the
moderation form."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from starlette.responses import Response

from api.web.deps import client_of, services_of
from api.web.templating import render
from audit.qa.results import Marking
from ehcp_engine.domain.plan_content import AREA_LABELS, PFA_LABELS, SECTION_TITLES, PlanContent
from ehcp_engine.services import plan_documents, qa, qa_panel
from ehcp_engine.services.access import check_plan_version, record_read
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.plan_documents import PlanDocument
from ehcp_engine.services.web_sessions import SignedIn

COMMENTS_MAX = 20_000


def _plan(
    svc: Services, actor: Actor, item: dict[str, Any], reader: tuple[str | None, bool]
) -> Any:
    """The sampled version's document, when the sample has one (a plan issued before plans were
    kept as structured versions has none: the panel reads it from the case file). `reader` is
    (the client's address, whether the child's name is to be hidden)."""
    client, hide_names = reader
    version_id = item["plan_version_id"]
    if version_id is None:
        return None
    check_plan_version(svc, actor, item["case_id"], version_id)
    what = f"QA round {item['round_id']}: plan version {version_id}"
    record_read(svc, actor, what, item["case_id"], client, "name hidden" if hide_names else "")
    doc = plan_documents.load_document(svc, item["case_id"], version_id)
    return pseudonymised(doc, item["reference"]) if hide_names else doc


def pseudonymised(doc: PlanDocument, reference: str) -> PlanDocument:
    """The plan with the child's names replaced wherever they appear (a panel may mark without
    knowing whose plan it is). Other people and places named in the text stay as written."""
    names = [re.escape(n) for n in doc.child_name.split() if len(n) > 1]
    pattern = re.compile(r"\b(?:" + "|".join(names) + r")\b", re.IGNORECASE) if names else None

    def mask(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub("[the child]", value) if pattern else value
        if isinstance(value, list):
            return [mask(v) for v in value]
        if isinstance(value, dict):
            return {k: mask(v) for k, v in value.items()}
        return value

    content = PlanContent.model_validate(mask(doc.content.model_dump(mode="json")))
    return dataclasses.replace(doc, child_name=f"The child of case {reference}", content=content)


def _entry(view: dict[str, Any], item_id: int) -> dict[str, Any]:
    return next(i for i in view["items"] if i["id"] == item_id)


def _prefill(entry: dict[str, Any], me: int | None, moderation: bool) -> dict[str, Any]:
    """What the form shows first: this marker's own marks, or the moderation so far."""
    if moderation:
        mod = entry["moderation"]
        if mod is None:
            return {"ratings": {}, "overall": "", "comments": ""}
        return {"ratings": mod["ratings"], "overall": mod["overall"], "comments": mod["feedback"]}
    mine = next((s for s in entry["scores"] if s["marker_id"] == me), None)
    if mine is None:
        return {"ratings": {}, "overall": "", "comments": ""}
    return {"ratings": mine["ratings"], "overall": mine["overall"], "comments": mine["comments"]}


def marks_page(
    request: Request,
    user: SignedIn,
    round_id: int,
    item_id: int,
    *,
    moderation: bool,
    hide_names: bool = False,
    typed: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    svc, actor = services_of(request), user.actor
    item = qa_panel.item_for_marking(svc, round_id, item_id)
    doc = _plan(svc, actor, item, (client_of(request), hide_names))
    entry = _entry(qa.round_view(svc, round_id), item_id)
    markers = qa_panel.people(svc, (s["marker_id"] for s in entry["scores"]))
    context = {
        "item": item,
        "doc": doc,
        "titles": SECTION_TITLES,
        "areas": AREA_LABELS,
        "pfa": PFA_LABELS,
        "scores": entry["scores"],
        "markers": markers,
        "moderation": moderation,
        "hide_names": hide_names,
        "moderated": entry["moderation"],
        "typed": typed or _prefill(entry, actor.user_id, moderation),
        "errors": errors or {},
        "action": f"/qa/rounds/{round_id}/items/{item_id}" + ("/moderation" if moderation else ""),
    }
    return render(request, "qa/item.html", context, status_code=400 if errors else 200)


def marks_from_form(
    item: dict[str, Any], form: Mapping[str, Any], marker_id: int
) -> tuple[Marking | None, dict[str, Any], dict[str, str]]:
    """(the marks, or None when any is missing or off the scale; what was typed; errors keyed by
    the field's id). A criterion that does not apply to the child's year is not_applicable."""
    scale = {r["id"] for r in item["ratings"]}
    errors: dict[str, str] = {}
    ratings: dict[str, str] = {}
    for c in item["criteria"]:
        if not c["applies"]:
            ratings[c["id"]] = item["not_applicable"]
            continue
        given = form.get(f"rating-{c['id']}")
        ratings[c["id"]] = given if isinstance(given, str) else ""
        if given not in scale:
            where = f"section {c['section']}" if len(c["section"]) == 1 else f"‘{c['label']}’"
            errors[f"rating-{c['id']}"] = f"Select a rating for {where}"
    overall = form.get("overall")
    overall = overall if isinstance(overall, str) else ""
    if overall not in scale:
        errors["overall"] = "Select an overall rating for the plan"
    comments = form.get("comments")
    comments = comments.strip() if isinstance(comments, str) else ""
    if len(comments) > COMMENTS_MAX:
        errors["comments"] = f"Comments must be {COMMENTS_MAX:,} characters or fewer"
    typed = {"ratings": ratings, "overall": overall, "comments": comments}
    if errors:
        return None, typed, errors
    return Marking(marker_id, ratings, overall, comments), typed, errors

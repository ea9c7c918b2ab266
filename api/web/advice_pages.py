"""The contributor portal: my advice requests, one request, submitting advice with documents,
the confirmation; and the officers' download of the documents sent with advice.

A contributor sees only the requests sent to their service (services/advice.py decides, row by
row; another service's request is "not found"). Each document is checked by its content (PDF or
DOCX) and size before anything is written; the advice and its documents are then written in one
transaction through the write path.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from api.web.deps import CsrfDep, SignedInDep, client_of, services_of
from api.web.templating import render
from ehcp_engine.domain.documents import CheckedDocument, check_document, format_bytes
from ehcp_engine.domain.errors import DomainError, EventInvalid, EventRefused, VersionConflict
from ehcp_engine.services import advice as service
from ehcp_engine.services.access import check_case, record_read
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.policy import require

router = APIRouter(include_in_schema=False)
MAX_DOCUMENTS = 5
TEXT_MAX = 20000
FIELDS = ("needs", "outcomes", "provision")
# The upload route's body limit (api/limits.py): its documents, plus the text fields.
UPLOAD_PATH = r"^/advice/[0-9]+$"


def upload_body_limit(max_upload_bytes: int, max_body_bytes: int) -> int:
    return MAX_DOCUMENTS * max_upload_bytes + max_body_bytes


@router.get("/advice")
def my_requests(request: Request, user: SignedInDep) -> Response:
    require(user.actor, "advice.read")
    requests = service.my_requests(services_of(request), user.actor)
    waiting = [r for r in requests if r["status"] != "received"]
    sent = [r for r in requests if r["status"] == "received"]
    return render(request, "advice_list.html", {"waiting": waiting, "sent": sent})


def _read_request(request: Request, actor: Actor, request_id: int) -> dict[str, Any]:
    svc = services_of(request)
    found = service.my_request(svc, actor, request_id)
    record_read(
        svc, actor, "read advice request", found["case_id"], client_of(request), str(request_id)
    )
    return found


def _page(request: Request, found: dict[str, Any], **more: Any) -> dict[str, Any]:
    svc = services_of(request)
    return {
        "advice": found,
        "max_documents": MAX_DOCUMENTS,
        "max_size": format_bytes(svc.settings.max_upload_bytes),
        "values": {},
        **more,
    }


@router.get("/advice/{request_id}")
def one_request(request: Request, request_id: int, user: SignedInDep) -> Response:
    require(user.actor, "advice.read")
    found = _read_request(request, user.actor, request_id)
    return render(request, "advice_request.html", _page(request, found))


async def _documents(form: Any, svc: Services) -> list[CheckedDocument]:
    """The files chosen (a browser sends an empty part when none is), each checked."""
    files = [f for f in form.getlist("documents") if isinstance(f, UploadFile) and f.filename]
    if len(files) > MAX_DOCUMENTS:
        raise EventInvalid("documents", f"Upload at most {MAX_DOCUMENTS} documents")
    limit = svc.settings.max_upload_bytes
    checked = []
    for upload in files:
        content = await upload.read(limit + 1)  # no more than one byte past the limit
        checked.append(check_document("documents", upload.filename or "", content, limit))
    return checked


def _text(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    values = {name: str(form.get(name) or "") for name in FIELDS}
    errors = {
        name: f"{LABELS[name]} must be {TEXT_MAX:,} characters or fewer"
        for name, text in values.items()
        if len(text) > TEXT_MAX
    }
    return values, errors


LABELS = {
    "needs": "Summary of needs",
    "outcomes": "Outcomes sought",
    "provision": "Provision recommended",
}


@router.post("/advice/{request_id}", dependencies=[CsrfDep])
async def submit(request: Request, request_id: int, user: SignedInDep) -> Response:
    svc = services_of(request)
    require(user.actor, "advice.submit")
    found = await run_in_threadpool(_read_request, request, user.actor, request_id)
    form = await request.form()
    values, errors = _text(form)
    documents: list[CheckedDocument] = []
    try:
        documents = await _documents(form, svc)
    except EventInvalid as err:
        errors.update({err.errors[0][0]: err.errors[0][1]})
    if not errors and not any(v.strip() for v in values.values()) and not documents:
        errors["needs"] = "Enter your advice, or upload a document with it"
    if errors:
        context = _page(request, found, values=values, errors=errors)
        return render(request, "advice_request.html", context, status_code=400)
    text = service.AdviceText(**values)
    try:
        await run_in_threadpool(service.submit_advice, svc, user.actor, request_id, text, documents)
    except (EventRefused, EventInvalid, VersionConflict) as refusal:
        context = _page(request, found, values=values, problem=_refusal_text(refusal))
        return render(request, "advice_request.html", context, status_code=409)
    return RedirectResponse(f"/advice/{request_id}/sent", status_code=303)


def _refusal_text(refusal: DomainError) -> str:
    return f"Your advice could not be recorded: {refusal.detail}. Nothing was saved."


@router.get("/advice/{request_id}/sent")
def confirmation(request: Request, request_id: int, user: SignedInDep) -> Response:
    require(user.actor, "advice.read")
    found = _read_request(request, user.actor, request_id)
    if found["status"] != "received":
        return RedirectResponse(f"/advice/{request_id}", status_code=303)
    return render(request, "advice_sent.html", {"advice": found})


@router.get("/cases/{case_id}/advice-documents/{document_id}")
def download(request: Request, case_id: int, document_id: int, user: SignedInDep) -> Response:
    """A document sent with advice, to the officers who may see the case; the read is logged.
    Always an attachment (never shown inline: nosniff is on every response)."""
    svc = services_of(request)
    require(user.actor, "advice.documents")
    check_case(svc, user.actor, case_id)
    document = service.document_for_case(svc, case_id, document_id)
    record_read(
        svc,
        user.actor,
        "read advice document",
        case_id,
        client_of(request),
        f"document {document.id} ({document.filename}, sha256 {document.sha256})",
    )
    return Response(
        document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Cache-Control": "no-store",
        },
    )

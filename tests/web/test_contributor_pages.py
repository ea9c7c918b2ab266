"""The contributor portal's pages: a contributor sees only the requests sent to their service,
sends advice as text and documents (PDF or DOCX, checked by content and size), and the event and
its documents are written together or not at all. Officers of the case download the documents,
and every download is in the access log."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog, AdviceDocument, AuditEvent
from ehcp_engine.services.context import Services
from tests.web.conftest import client_for, form_token, sign_in, web_settings
from tests.web.roles import browser_of, case_with_advice_request, new_organisation, new_team, person

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def small_svc(svc: Services) -> Services:
    """Uploads limited to 2 KB, so 'too big' needs no 10 MB body."""
    return dataclasses.replace(svc, settings=web_settings(max_upload_bytes=2048))


@pytest.fixture
def web(small_svc: Services) -> Iterator[TestClient]:
    yield from client_for(small_svc)


@pytest.fixture
def portal(small_svc: Services, web: TestClient) -> dict:
    """A signed-in contributor of an EP service, and a case asking that service for advice."""
    org = new_organisation(small_svc)
    _, email = person(small_svc, "contributor", "Dr Pat Psychologist", organisation=org)
    team = new_team(small_svc)
    officer_id, officer_email = person(small_svc, "officer", team_id=team)
    case_id, request_id = case_with_advice_request(small_svc, org, officer_id)
    assert sign_in(web, email).status_code == 303
    return {
        "case_id": case_id,
        "request_id": request_id,
        "officer_email": officer_email,
        "team": team,
        "org": org,
    }


def _post(web: TestClient, request_id: int, data: dict, files: list | None = None):
    token = form_token(web.get(f"/advice/{request_id}"))
    return web.post(
        f"/advice/{request_id}",
        data={"csrf_token": token, **data},
        files=files or [("documents", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )


def _events(svc: Services, case_id: int) -> list[AuditEvent]:
    with svc.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
            )
        )


def _documents(svc: Services, case_id: int) -> list[AdviceDocument]:
    with svc.sessions() as session:
        return list(
            session.scalars(select(AdviceDocument).where(AdviceDocument.case_id == case_id))
        )


def test_the_list_shows_my_requests_with_due_date_and_status(web, portal):
    page = web.get("/advice")
    assert page.status_code == 200
    assert f'href="/advice/{portal["request_id"]}"' in page.text
    assert "25 Mar 2026" in page.text  # 6 weeks from 11 Feb 2026 (Reg 8)
    assert "Overdue" in page.text  # today is 25 Nov 2026 in the test clock


def test_the_request_page_shows_the_minimum_and_logs_the_read(web, portal, small_svc):
    page = web.get(f"/advice/{portal['request_id']}")
    assert page.status_code == 200
    assert "Alex Example" in page.text and "15 March 2015" in page.text
    assert "What are the child&#39;s learning needs?" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert ">None</textarea>" not in page.text
    with small_svc.sessions() as session:
        logged = session.scalars(
            select(AccessLog.action).where(AccessLog.case_id == portal["case_id"])
        ).all()
    assert "read advice request" in logged


def test_another_services_request_is_not_found(web, portal, small_svc):
    other_org = new_organisation(small_svc)
    _, other_request = case_with_advice_request(small_svc, other_org)
    assert web.get(f"/advice/{other_request}").status_code == 404
    token = form_token(web.get(f"/advice/{portal['request_id']}"))
    posted = web.post(
        f"/advice/{other_request}",
        data={"csrf_token": token, "needs": "Something"},
        files=[("documents", ("a.pdf", PDF, "application/pdf"))],
    )
    assert posted.status_code == 404
    assert f'href="/advice/{other_request}"' not in web.get("/advice").text


def test_advice_with_a_pdf_writes_the_event_and_the_document_together(web, portal, small_svc):
    response = _post(
        web,
        portal["request_id"],
        {"needs": "Working memory", "outcomes": "Reads fluently", "provision": "1:1 support"},
        [("documents", ("../../EP report.pdf", PDF, "text/plain"))],
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/advice/{portal['request_id']}/sent"
    last = _events(small_svc, portal["case_id"])[-1]
    assert last.type == "advice_received"
    assert last.data["needs"] == "Working memory" and last.data["provision"] == "1:1 support"
    [stored] = _documents(small_svc, portal["case_id"])
    assert stored.content == PDF and stored.size == len(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.filename == "EP report.pdf"  # no folders
    assert stored.content_type == "application/pdf"  # from the content, not the browser
    assert stored.audit_seq == last.seq and stored.advice_request_id == portal["request_id"]
    assert last.data["documents"] == [
        {"filename": "EP report.pdf", "sha256": stored.sha256, "size": len(PDF)}
    ]
    confirmation = web.get(response.headers["location"])
    assert "Advice sent" in confirmation.text and "What happens next" in confirmation.text


def test_a_docx_is_accepted(web, portal, small_svc):
    response = _post(
        web, portal["request_id"], {}, [("documents", ("advice.docx", docx_bytes(), ""))]
    )
    assert response.status_code == 303
    [stored] = _documents(small_svc, portal["case_id"])
    assert stored.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("notes.txt", b"plain text notes", "must be a PDF or a Word document"),
        ("report.pdf", b"\x89PNG\r\n\x1a\n not a pdf at all", "must be a PDF or a Word document"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "must be a PDF or a Word document"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * 3000, "must be smaller than"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_wrong_file_is_refused_with_a_message_and_nothing_written(
    web, portal, small_svc, filename, content, message
):
    before = len(_events(small_svc, portal["case_id"]))
    response = _post(
        web,
        portal["request_id"],
        {"needs": "My advice"},
        [("documents", (filename, content, "application/pdf"))],
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and message in response.text
    assert 'href="#documents"' in response.text  # the error summary links to the field
    assert "My advice" in response.text  # what they wrote is kept
    assert len(_events(small_svc, portal["case_id"])) == before
    assert _documents(small_svc, portal["case_id"]) == []


def test_a_docx_zip_without_a_word_document_is_refused(web, portal, small_svc):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    response = _post(web, portal["request_id"], {}, [("documents", ("s.docx", out.getvalue(), ""))])
    assert response.status_code == 400
    assert _documents(small_svc, portal["case_id"]) == []


def test_empty_advice_is_refused(web, portal, small_svc):
    response = _post(web, portal["request_id"], {"needs": "  "})
    assert response.status_code == 400
    assert "Enter your advice, or upload a document with it" in response.text


def test_a_refused_event_writes_no_document(web, portal, small_svc):
    """Advice sent twice: the second is refused by the case, and its document is not kept."""
    first = _post(web, portal["request_id"], {"needs": "First"})
    assert first.status_code == 303
    token = form_token(web.get("/advice"))
    again = web.post(
        f"/advice/{portal['request_id']}",
        data={"csrf_token": token, "needs": "Again"},
        files=[("documents", ("late.pdf", PDF, "application/pdf"))],
    )
    assert again.status_code == 409
    assert "Nothing was saved" in again.text
    assert _documents(small_svc, portal["case_id"]) == []


def test_a_post_without_the_csrf_token_is_refused(web, portal, small_svc):
    response = web.post(
        f"/advice/{portal['request_id']}",
        data={"needs": "x"},
        files=[("documents", ("a.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 403
    assert _documents(small_svc, portal["case_id"]) == []


def test_officers_of_the_case_download_and_the_read_is_logged(web, portal, small_svc):
    assert _post(web, portal["request_id"], {}, [("documents", ("r.pdf", PDF, ""))]).status_code
    [stored] = _documents(small_svc, portal["case_id"])
    url = f"/cases/{portal['case_id']}/advice-documents/{stored.id}"
    assert web.get(url).status_code == 403  # the contributor themself: not a case reader
    with browser_of(small_svc, portal["officer_email"]) as officer:
        case_page = officer.get(f"/cases/{portal['case_id']}")
        got = officer.get(url)
    assert f'href="{url}">r.pdf</a>' in case_page.text  # listed on the case page
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"] == 'attachment; filename="r.pdf"'
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"] == "application/pdf"
    with small_svc.sessions() as session:
        logged = session.scalars(
            select(AccessLog.detail).where(
                AccessLog.case_id == portal["case_id"], AccessLog.action == "read advice document"
            )
        ).all()
    assert logged == [f"document {stored.id} (r.pdf, sha256 {stored.sha256})"]


def test_an_officer_of_another_team_cannot_download(web, portal, small_svc):
    _post(web, portal["request_id"], {}, [("documents", ("r.pdf", PDF, ""))])
    [stored] = _documents(small_svc, portal["case_id"])
    _, stranger = person(small_svc, "officer", team_id=new_team(small_svc))
    with browser_of(small_svc, stranger) as other:
        url = f"/cases/{portal['case_id']}/advice-documents/{stored.id}"
        assert other.get(url).status_code == 404
        wrong_case = f"/cases/{portal['case_id'] + 1000}/advice-documents/{stored.id}"
        assert other.get(wrong_case).status_code == 404


def test_an_officer_may_not_use_the_portal(small_svc):
    _, email = person(small_svc, "officer")
    with browser_of(small_svc, email) as officer:
        assert officer.get("/advice").status_code == 403


def test_only_the_upload_route_takes_a_body_above_the_form_limit(small_svc, portal):
    """The body limit stays small everywhere but on the upload route, which takes its documents
    (so a too-large document gets the page's own message, not a bare 413)."""
    from api.app import create_app

    app = create_app(services=small_svc, settings=web_settings(max_body_bytes=2_000))
    with TestClient(app, raise_server_exceptions=False) as client:
        _, email = person(small_svc, "contributor", organisation=portal["org"])
        assert sign_in(client, email).status_code == 303
        token = form_token(client.get(f"/advice/{portal['request_id']}"))
        big = b"%PDF-1.4\n" + b"0" * 3000  # over max_body_bytes and over max_upload_bytes
        response = client.post(
            f"/advice/{portal['request_id']}",
            data={"csrf_token": token},
            files=[("documents", ("big.pdf", big, "application/pdf"))],
        )
        assert response.status_code == 400 and "must be smaller than 2 KB" in response.text
        elsewhere = client.post("/sign-out", data={"csrf_token": token, "pad": "x" * 3000})
        assert elsewhere.status_code == 413


def test_if_a_document_cannot_be_stored_the_advice_is_not_recorded_either(
    web, portal, small_svc, monkeypatch
):
    """One transaction: a document row the database refuses (here: no size) takes the
    advice_received event down with it."""
    from ehcp_engine.services import advice

    def broken(**values):
        return AdviceDocument(**{**values, "size": None})

    monkeypatch.setattr(advice, "AdviceDocument", broken)
    before = len(_events(small_svc, portal["case_id"]))
    response = _post(web, portal["request_id"], {"needs": "x"}, [("documents", ("a.pdf", PDF, ""))])
    assert response.status_code == 500
    assert len(_events(small_svc, portal["case_id"])) == before
    assert _documents(small_svc, portal["case_id"]) == []
    assert web.get(f"/advice/{portal['request_id']}").text.count("Send advice") >= 1

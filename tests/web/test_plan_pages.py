"""The plan's web pages: an officer drafts a plan section by section, sees the checks, serves
it, downloads it; bad entries come back beside their fields and save nothing; the plan is read
only by those who may read the case, and every read is in the access log.

The case: request Mon 5 Jan 2026, decision to assess Tue 10 Feb, EP advice asked Wed 11 Feb and
received Tue 10 Mar, decision to issue a plan Wed 1 Apr; the draft is served Wed 8 Apr 2026.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog, AuditEvent
from ehcp_engine.services import plans
from ehcp_engine.services.context import Services
from tests.web.conftest import form_token, sign_in
from tests.web.roles import browser_of, case_with_advice_request, new_team, person, record

EP = "EP service"


def case_with_plan_agreed(svc: Services, officer_id: int) -> int:
    case_id, advice_id = case_with_advice_request(svc, EP, officer_id)
    record(svc, case_id, "advice_received", date(2026, 3, 10), advice_request_id=advice_id)
    record(svc, case_id, "plan_agreed", date(2026, 4, 1))
    return case_id


@pytest.fixture
def drafting(web: TestClient, web_svc: Services) -> tuple[TestClient, int, int]:
    """Signed in as the case's officer, with version 1 started: (client, case id, version id)."""
    team = new_team(web_svc)
    officer, email = person(web_svc, "officer", team_id=team)
    case_id = case_with_plan_agreed(web_svc, officer)
    assert sign_in(web, email).status_code == 303
    started = post(web, f"/cases/{case_id}/plan", {})
    assert started.status_code == 303
    version_id = int(started.headers["location"].rsplit("/", 1)[1])
    return web, case_id, version_id


def post(client: TestClient, path: str, data: dict[str, Any]) -> httpx.Response:
    token = form_token(client.get("/cases"))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def content(svc: Services, case_id: int, version_id: int) -> dict[str, Any]:
    return dict(plans.version_view(svc, case_id, version_id)["content"])


def audit(svc: Services, case_id: int) -> list[tuple[str, date]]:
    with svc.sessions() as session:
        rows = session.execute(
            select(AuditEvent.type, AuditEvent.occurred_on)
            .where(AuditEvent.case_id == case_id)
            .order_by(AuditEvent.seq)
        ).all()
    return [(t, on) for t, on in rows]


def error_beside(page: httpx.Response, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>\s*<span[^>]*>Error:</span>\s*([^<]+)', page.text)
    assert found, f"no error message beside {field}"
    return found.group(1).strip()


def fill_sections(client: TestClient, case_id: int, version_id: int) -> str:
    base = f"/cases/{case_id}/plan/{version_id}/sections"
    steps = [
        (
            f"{base}/a",
            {"views": "Sam likes trains.", "interests": "Lego", "aspirations": "To read"},
        ),
        (
            f"{base}/b/items",
            {"id": "B1", "area": "cognition_learning", "description": "Reads below age."},
        ),
        (
            f"{base}/e/items",
            {"id": "E1", "description": "Reads a book by Year 6", "time_frame": "July 2027"},
        ),
        (
            f"{base}/f/items",
            {
                "id": "F1",
                "what": "Phonics",
                "who": "TA",
                "amount": "30 minutes",
                "frequency": "daily",
                "needs": "B1",
                "outcomes": "E1",
            },
        ),
    ]
    for path, data in steps:
        response = post(client, path, data)
        assert response.status_code == 303, (path, response.text[:2000])
    return base


def test_an_officer_drafts_the_plan_section_by_section_and_serves_it(drafting, web_svc):
    client, case_id, version_id = drafting
    page = client.get(f"/cases/{case_id}/plan/{version_id}")
    assert page.status_code == 200
    assert "Version 1: Draft plan" in page.text and "Being edited" in page.text
    assert f"Psychological advice from {EP}, received 2026-03-10" in page.text  # Section K

    fill_sections(client, case_id, version_id)

    saved = content(web_svc, case_id, version_id)
    assert saved["a"]["views"] == "Sam likes trains."
    assert [(n["id"], n["area"]) for n in saved["b"]] == [("B1", "cognition_learning")]
    assert saved["f"][0]["needs"] == ["B1"] and saved["f"][0]["outcomes"] == ["E1"]
    assert (saved["f"][0]["amount"], saved["f"][0]["frequency"]) == ("30 minutes", "daily")

    issued = post(
        client,
        f"/cases/{case_id}/plan/{version_id}/issue",
        {"kind": "draft", "on-day": "8", "on-month": "4", "on-year": "2026"},
    )
    assert issued.status_code == 303, issued.text[:3000]
    assert audit(web_svc, case_id)[-1] == ("draft_plan_served", date(2026, 4, 8))
    shown = client.get(issued.headers["location"])
    assert "has been issued" in shown.text and "Issued 8 April 2026" in shown.text
    # An issued version is never edited: its section pages are not found.
    assert client.get(f"/cases/{case_id}/plan/{version_id}/sections/a").status_code == 404
    refused = post(client, f"/cases/{case_id}/plan/{version_id}/sections/a", {"views": "changed"})
    assert refused.status_code == 404
    assert content(web_svc, case_id, version_id)["a"]["views"] == "Sam likes trains."


def test_a_bad_item_comes_back_beside_its_fields_and_saves_nothing(drafting, web_svc):
    client, case_id, version_id = drafting
    base = f"/cases/{case_id}/plan/{version_id}/sections"
    before = content(web_svc, case_id, version_id)

    bad = post(client, f"{base}/b/items", {"id": "B 1!", "area": "", "description": ""})
    assert bad.status_code == 400
    assert "There is a problem" in bad.text
    assert "string should match pattern" in error_beside(bad, "id").lower()
    assert error_beside(bad, "area")
    assert content(web_svc, case_id, version_id) == before

    forged = post(client, f"{base}/f/items", {"id": "F1", "what": "Speech therapy", "needs": "B9"})
    assert forged.status_code == 400
    assert "B9" in error_beside(forged, "needs")
    assert content(web_svc, case_id, version_id) == before


def test_a_need_named_by_provision_cannot_be_removed(drafting, web_svc):
    client, case_id, version_id = drafting
    base = fill_sections(client, case_id, version_id)
    refused = post(client, f"{base}/b/items/1", {"remove": "yes"})
    assert refused.status_code == 400
    assert "cannot be removed while other parts of the plan name it" in refused.text
    assert [n["id"] for n in content(web_svc, case_id, version_id)["b"]] == ["B1"]
    # Provision no longer naming it, it goes.
    assert post(client, f"{base}/f/items/1", {"remove": "yes"}).status_code == 303
    assert post(client, f"{base}/b/items/1", {"remove": "yes"}).status_code == 303
    assert content(web_svc, case_id, version_id)["b"] == []


def test_a_draft_naming_a_setting_is_not_served(drafting, web_svc):
    """s.38(5): the draft must not name a school; the check blocks issuing."""
    client, case_id, version_id = drafting
    before = audit(web_svc, case_id)
    named = post(
        client, f"/cases/{case_id}/plan/{version_id}/sections/i", {"setting_name": "Oak Academy"}
    )
    assert named.status_code == 303
    assert "Must be put right" in client.get(f"/cases/{case_id}/plan/{version_id}").text
    refused = post(
        client,
        f"/cases/{case_id}/plan/{version_id}/issue",
        {"kind": "draft", "on-day": "8", "on-month": "4", "on-year": "2026"},
    )
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert audit(web_svc, case_id) == before
    bad_date = post(
        client,
        f"/cases/{case_id}/plan/{version_id}/issue",
        {"kind": "draft", "on-day": "31", "on-month": "2", "on-year": "2026"},
    )
    assert bad_date.status_code == 400 and "must be a real date" in bad_date.text


def test_documents_download_and_every_read_is_logged(drafting, web_svc):
    client, case_id, version_id = drafting
    pdf = client.get(f"/cases/{case_id}/plan/{version_id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment;")
    docx = client.get(f"/cases/{case_id}/plan/{version_id}.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    with web_svc.sessions() as session:
        logged = session.scalars(select(AccessLog.action).where(AccessLog.case_id == case_id)).all()
    assert f"plan version {version_id} as PDF" in logged
    assert f"plan version {version_id} as DOCX" in logged


def test_only_those_who_may_read_the_case_see_its_plan(drafting, web_svc):
    _client, case_id, version_id = drafting
    other_team = new_team(web_svc)
    _o, stranger = person(web_svc, "officer", team_id=other_team)
    _c, contributor = person(web_svc, "contributor")
    _q, panel = person(web_svc, "qa")
    # (reading, editing): QA read only sampled plans (this one is not) and never edit.
    expected = {stranger: (404, 404), contributor: (403, 403), panel: (404, 403)}
    for email, (reading, editing) in expected.items():
        with browser_of(web_svc, email) as other:
            for path in ("/plan", f"/plan/{version_id}", f"/plan/{version_id}.pdf"):
                assert other.get(f"/cases/{case_id}{path}").status_code == reading, (email, path)
            edit = post(other, f"/cases/{case_id}/plan/{version_id}/sections/a", {"views": "x"})
            assert edit.status_code == editing, email
    assert content(web_svc, case_id, version_id)["a"]["views"] == ""

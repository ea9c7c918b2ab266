"""The contributor portal: a contributor sees the advice requests sent to them and nothing else,
only the minimum the law lets them see, and submits advice through the write path."""

from __future__ import annotations

from datetime import date
from itertools import count

from ehcp_engine.persistence.models import Organisation, User
from ehcp_engine.services.users import create_user, issue_token
from tests.api.conftest import Api, bearer

_n = count(1)


def _contributor(svc, org_name: str) -> dict[str, str]:
    with svc.sessions.begin() as session:
        org = Organisation(name=org_name, kind="ep_service")
        session.add(org)
        session.flush()
        org_id = org.id
    user_id = create_user(svc, f"ep{next(_n)}@example.gov.uk", "contributor")
    with svc.sessions.begin() as session:
        session.get(User, user_id).organisation_id = org_id
    return bearer(issue_token(svc, user_id))


def _case_with_advice(api: Api, contributor: str) -> dict:
    case = api.open()
    api.do(case["id"], "assessment_agreed", "2026-02-10")
    return api.do(
        case["id"],
        "advice_requested",
        "2026-02-11",
        {
            "advice_type": "psychological",
            "contributor": contributor,
            "question": "What are the child's learning needs?",
        },
    )


def test_a_contributor_sees_only_requests_sent_to_their_service(svc, client, api):
    org = f"Educational Psychology Service {next(_n)}"
    ep = _contributor(svc, org)
    mine = _case_with_advice(api, org)
    _case_with_advice(api, "Community Paediatrics")
    listed = client.get("/api/v1/advice-requests", headers=ep).json()
    assert [r["id"] for r in listed] == [mine["advice_requests"][0]["id"]]
    item = listed[0]
    # The minimum: name, date of birth, the question and the due date; no UPN, no case id.
    assert set(item["child"]) == {"given_name", "family_name", "date_of_birth"}
    assert item["question"] == "What are the child's learning needs?"
    assert item["due_on"] == "2026-03-25"  # Wed, 6 weeks from Wed 11 Feb 2026 (Reg 8)
    assert "case_id" not in item and "upn" not in item["child"]


def test_another_services_request_is_not_found(svc, client, api):
    ep = _contributor(svc, f"EP Service {next(_n)}")
    other = _case_with_advice(api, "Community Paediatrics")
    request_id = other["advice_requests"][0]["id"]
    assert client.get(f"/api/v1/advice-requests/{request_id}", headers=ep).status_code == 404
    submitted = client.post(
        f"/api/v1/advice-requests/{request_id}/advice", headers=ep, json={"summary": "x"}
    )
    assert submitted.status_code == 404
    assert api.case(other["id"])["advice_requests"][0]["received_on"] is None


def test_submitting_advice_meets_the_6_week_deadline(svc, client, api):
    org = f"EP Service {next(_n)}"
    ep = _contributor(svc, org)
    case = _case_with_advice(api, org)
    request_id = case["advice_requests"][0]["id"]
    svc.clock.set(date(2026, 3, 20))
    response = client.post(
        f"/api/v1/advice-requests/{request_id}/advice",
        headers=ep,
        json={"summary": "Needs support with working memory."},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "received"
    after = api.case(case["id"])
    advice = next(d for d in after["deadlines"] if d["rule"] == "advice")
    assert (advice["status"], advice["met_on"]) == ("met", "2026-03-20")
    assert api.audit(case["id"])[-1]["actor"].startswith("ep")


def test_a_contributor_may_not_read_the_case_and_an_officer_may_not_use_the_portal(
    svc, client, api
):
    org = f"EP Service {next(_n)}"
    ep = _contributor(svc, org)
    case = _case_with_advice(api, org)
    assert client.get(f"/api/v1/cases/{case['id']}", headers=ep).status_code == 403
    assert client.get("/api/v1/advice-requests", headers=api.headers).status_code == 403

"""Bad input to the plan API gets a clear 4xx naming what is wrong, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ehcp_engine.settings import Settings
from tests.api.conftest import Api, bearer, detail_text, error_locs
from tests.plans.qa_sample import sample_versions
from tests.plans.sample import good
from tests.plans.test_plans_api import Plans, case_with_plan_agreed


@pytest.fixture
def drafting(api: Api) -> tuple[Plans, int, dict[str, Any]]:
    """A case in drafting with version 1 being edited: (plans, case id, version)."""
    case_id, _ = case_with_plan_agreed(api)
    plans = Plans(api, case_id)
    return plans, case_id, plans.new()


def put(plans: Plans, vid: int, body: Any) -> Any:
    return plans.client.put(f"{plans.base}/{vid}", headers=plans.api.headers, json=body)


def test_invalid_section_data_is_422_naming_the_field(drafting):
    plans, _, v1 = drafting
    content = good()
    content["b"][0]["area"] = "behaviour"
    response = put(plans, v1["id"], {"content": content})
    assert response.status_code == 422
    assert error_locs(response) == ["body.content.b.0.area"]


def test_a_broken_cross_reference_is_422_naming_the_field(drafting):
    plans, _, v1 = drafting
    content = good()
    content["f"][0]["needs"] = ["B1", "B7"]
    response = put(plans, v1["id"], {"content": content})
    assert response.status_code == 422
    assert error_locs(response) == ["body.content.f.0.needs.1"]
    assert "no need 'B7' in section B" in detail_text(response)
    assert plans.get(f"/{v1['id']}").json()["content"] == v1["content"]  # nothing stored


def test_a_heading_outside_the_framework_is_422(drafting):
    plans, _, v1 = drafting
    content = good()
    content["e"][1]["headings"] = ["Achieving"]
    response = put(plans, v1["id"], {"content": content})
    assert response.status_code == 422
    assert error_locs(response) == ["body.content.e.1.headings.0"]


def test_an_unknown_top_level_key_is_422(drafting):
    plans, _, v1 = drafting
    response = put(plans, v1["id"], {"content": good(), "sections": {}})
    assert response.status_code == 422
    assert error_locs(response) == ["body.sections"]


def test_content_that_is_not_json_is_415(drafting):
    plans, _, v1 = drafting
    for headers, body in (
        ({"content-type": "text/plain"}, b'{"content": {}}'),
        ({"content-type": "application/pdf"}, b"%PDF-1.7 ..."),
    ):
        response = plans.client.put(
            f"{plans.base}/{v1['id']}", content=body, headers={**plans.api.headers, **headers}
        )
        assert response.status_code == 415, response.text
    files = {"file": ("plan.docx", b"PK\x03\x04", "application/octet-stream")}
    response = plans.client.put(f"{plans.base}/{v1['id']}", files=files, headers=plans.api.headers)
    assert response.status_code == 415


def test_an_upload_over_the_size_limit_is_413(svc, drafting):
    plans, _, v1 = drafting
    with TestClient(create_app(services=svc, settings=Settings(max_body_bytes=2_000))) as small:
        content = good()
        content["a"]["views"] = "x" * 5_000
        response = small.put(
            f"{plans.base}/{v1['id']}", json={"content": content}, headers=plans.api.headers
        )
    assert response.status_code == 413
    assert plans.get(f"/{v1['id']}").json()["content"] == v1["content"]


def test_a_second_version_while_one_is_edited_is_409(drafting):
    plans, _, v1 = drafting
    response = plans.client.post(plans.base, headers=plans.api.headers)
    assert response.status_code == 409
    assert f"plan version 1 (id {v1['id']}) is still being edited" in detail_text(response)


def test_an_unknown_version_is_404(drafting, api: Api):
    plans, _, v1 = drafting
    for path in ("/999999", "/999999.pdf", "/999999/checks", "/0", "/99999999999"):
        assert plans.client.get(f"{plans.base}{path}", headers=plans.api.headers).status_code == 404
    other = Plans(api, api.open()["id"])
    assert other.client.get(f"{other.base}/{v1['id']}", headers=api.headers).status_code == 404


def test_issuing_in_the_future_is_422(drafting):
    plans, case_id, v1 = drafting
    plans.put(v1["id"], good(i={}))
    before = plans.api.snapshot(case_id)
    response = plans.issue(v1["id"], "2026-11-26", status=422)
    assert [".".join(map(str, d["loc"])) for d in response["detail"]] == ["body.occurred_on"]
    assert plans.api.snapshot(case_id) == before
    assert plans.get(f"/{v1['id']}").json()["status"] == "editing"


def test_issuing_what_the_stage_does_not_allow_is_409_and_the_version_stays_editable(drafting):
    plans, case_id, v1 = drafting
    plans.put(v1["id"], good())
    before = plans.api.snapshot(case_id)
    response = plans.issue(v1["id"], "2026-05-01", status=409, kind="final")
    assert "draft" in response["detail"]
    assert plans.api.snapshot(case_id) == before
    assert plans.get(f"/{v1['id']}").json()["status"] == "editing"


def test_a_stale_expected_version_is_409(drafting):
    plans, _, v1 = drafting
    plans.put(v1["id"], good(i={}))
    plans.issue(v1["id"], "2026-04-08", status=409, expected_version=1)


def test_an_unknown_kind_is_422(drafting):
    plans, _, v1 = drafting
    response = plans.issue(v1["id"], "2026-04-08", status=422, kind="interim")
    assert [".".join(map(str, d["loc"])) for d in response["detail"]] == ["body.kind"]


def test_qa_reads_a_sampled_version_and_its_documents_but_edits_nothing(svc, drafting, token_for):
    plans, _, v1 = drafting
    qa = bearer(token_for("qa"))
    sample_versions(svc, v1["id"])  # QA read only sampled plans: tests/plans/test_qa_access.py
    assert plans.get(f"/{v1['id']}", headers=qa).json()["id"] == v1["id"]
    assert plans.get("", headers=qa).json()[0]["id"] == v1["id"]
    assert plans.get(f"/{v1['id']}/checks", headers=qa).json()
    assert plans.get(f"/{v1['id']}.docx", headers=qa).content.startswith(b"PK")
    assert plans.client.post(plans.base, headers=qa).status_code == 403
    edit = plans.client.put(f"{plans.base}/{v1['id']}", json={"content": good()}, headers=qa)
    assert edit.status_code == 403
    issue = plans.client.post(
        f"{plans.base}/{v1['id']}/issue", json={"occurred_on": "2026-04-08"}, headers=qa
    )
    assert issue.status_code == 403


@pytest.mark.parametrize("role", ["contributor", "admin"])
def test_other_roles_cannot_read_the_plan(drafting, token_for, role: str):
    plans, _, v1 = drafting
    headers = bearer(token_for(role))
    for path in (f"/{v1['id']}", f"/{v1['id']}.pdf", ""):
        assert plans.client.get(f"{plans.base}{path}", headers=headers).status_code == 403


def test_without_a_token_is_401(drafting):
    plans, _, v1 = drafting
    assert plans.client.get(f"{plans.base}/{v1['id']}").status_code == 401


def test_voiding_the_issuing_event_voids_the_version_and_the_next_starts_from_the_last_issued(
    drafting,
):
    """Draft served on Wed 8 Apr 2026 (v1), the final plan issued on Fri 1 May (v2); the final
    plan's event is then voided: v2 is void, the case is back to a served draft, and a new
    version starts as a copy of v1, not of v2."""
    plans, case_id, v1 = drafting
    plans.put(v1["id"], good(i={}))
    served = plans.issue(v1["id"], "2026-04-08")
    v2 = plans.new()
    plans.put(v2["id"], good(i={"setting_name": "Birch School"}))
    final = plans.issue(v2["id"], "2026-05-01", expected_version=served["case_version"])
    plans.api.do(
        case_id,
        "event_corrected",
        "2026-05-02",
        {"seq": final["issued_seq"], "void": True, "reason": "issued in error"},
    )

    voided = plans.get(f"/{v2['id']}").json()
    assert (voided["status"], voided["kind"]) == ("void", "final")
    assert "annual_review" not in {d["rule"] for d in plans.api.case(case_id)["deadlines"]}
    response = put(plans, v2["id"], {"content": good()})
    assert response.status_code == 409 and "void" in response.json()["detail"]
    v3 = plans.new()
    assert (v3["kind"], v3["based_on_id"]) == ("final", v1["id"])
    assert v3["content"]["i"] == {} or not v3["content"]["i"].get("setting_name")
    pdf = plans.get(f"/{v2['id']}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"

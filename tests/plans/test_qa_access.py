"""A QA panel member reads the plans sampled for audit and nothing else (services/access.py):
the sampled version and its case answer 200; an unsampled case, or another version of a sampled
case, answers 404 as if it did not exist; QA users cannot list cases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog
from ehcp_engine.services.context import Services
from tests.api.conftest import Api, bearer, make_user
from tests.plans.qa_sample import sample_versions
from tests.plans.sample import good
from tests.plans.test_plans_api import Plans, case_with_plan_agreed


def _draft(api: Api) -> tuple[Plans, int, dict[str, Any]]:
    case_id, _ = case_with_plan_agreed(api)
    plans = Plans(api, case_id)
    return plans, case_id, plans.new()


@pytest.fixture
def qa(svc: Services) -> tuple[int, dict[str, str]]:
    user_id, token = make_user(svc, "qa")
    return user_id, bearer(token)


def test_qa_reads_a_sampled_plan_and_not_an_unsampled_one(svc, api: Api, qa):
    qa_id, headers = qa
    sampled, sampled_case, v1 = _draft(api)
    other, other_case, w1 = _draft(api)
    sample_versions(svc, v1["id"])
    client = api.client

    assert client.get(f"/api/v1/cases/{sampled_case}", headers=headers).status_code == 200
    assert sampled.get(f"/{v1['id']}", headers=headers).json()["id"] == v1["id"]
    assert sampled.get(f"/{v1['id']}.docx", headers=headers).content.startswith(b"PK")
    assert [v["id"] for v in sampled.get("", headers=headers).json()] == [v1["id"]]

    for path in (
        f"/api/v1/cases/{other_case}",
        f"{other.base}",
        f"{other.base}/{w1['id']}",
        f"{other.base}/{w1['id']}.pdf",
        f"{other.base}/{w1['id']}/checks",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert "Example" not in response.text  # nothing about the child leaks
    # The officer still reads both.
    assert client.get(f"{other.base}/{w1['id']}", headers=api.headers).status_code == 200

    with svc.sessions() as session:
        logged = session.scalars(select(AccessLog.case_id).where(AccessLog.user_id == qa_id)).all()
    assert set(logged) == {sampled_case}  # every read recorded; refusals read nothing


def test_qa_cannot_list_cases(api: Api, qa):
    _, headers = qa
    api.open()
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 403


def test_only_the_sampled_version_of_a_sampled_case(svc, api: Api, qa):
    _, headers = qa
    plans, _, v1 = _draft(api)
    plans.put(v1["id"], good(i={}))
    plans.issue(v1["id"], "2026-04-08")
    v2 = plans.new()  # the final plan, based on the draft
    sample_versions(svc, v2["id"])

    assert plans.get(f"/{v2['id']}", headers=headers).json()["id"] == v2["id"]
    assert [v["id"] for v in plans.get("", headers=headers).json()] == [v2["id"]]
    assert plans.client.get(f"{plans.base}/{v1['id']}", headers=headers).status_code == 404
    # A comparison shows the draft's text too: refused until the draft is sampled as well.
    diff = f"{plans.base}/{v2['id']}/diff"
    assert plans.client.get(diff, headers=headers).status_code == 404
    against = plans.client.get(diff, params={"against": v1["id"]}, headers=headers)
    assert against.status_code == 404
    sample_versions(svc, v1["id"])
    assert plans.client.get(diff, headers=headers).status_code == 200

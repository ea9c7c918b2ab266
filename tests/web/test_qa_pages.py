"""The QA panel's pages: the sample, a sampled plan read beside the rubric's marking form,
validation that saves nothing, moderation, results, starting a round, and who may see them."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog, QaRound
from ehcp_engine.services import qa
from ehcp_engine.services.auth import set_password
from ehcp_engine.services.context import Services
from ehcp_engine.services.directory import create_team
from ehcp_engine.services.users import create_user
from tests.web.conftest import PASSWORD, form_token, sign_in
from tests.web.qa_world import issue_a_final_plan, sample_round

_n = itertools.count()
CRITERIA = (*"abcdefghijk", "outcomes_smart", "child_voice", "health_social_care")


def _user(svc: Services, role: str, team_id: int | None = None) -> tuple[int, str]:
    email = f"qa-pages-{role}{next(_n)}@example.gov.uk"
    user_id = create_user(svc, email, role, f"Pat {role.title()}", team_id=team_id)
    set_password(svc, email, PASSWORD)
    return user_id, email


@pytest.fixture
def world(web_svc: Services) -> dict[str, Any]:
    """A final plan issued on a day of its own, and a round that sampled it."""
    team = create_team(web_svc, f"QA pages team {next(_n)}")
    officer, _ = _user(web_svc, "officer", team)
    day = date(2024, 1, 8) + (date(2024, 1, 15) - date(2024, 1, 8)) * next(_n)
    plan = issue_a_final_plan(web_svc, officer, "Alex", "Fairweather", day)
    issued = date.fromordinal(day.toordinal() + 7 * 12)
    round_id = sample_round(web_svc, issued, issued, 1, f"Round of {issued}")
    items = qa.round_view(web_svc, round_id)["items"]
    assert [i["case_id"] for i in items] == [plan.case_id]
    return {"plan": plan, "round": round_id, "item": items[0]["id"], "team": team}


def marks(grade: str = "good", **overrides: str) -> dict[str, str]:
    form = {f"rating-{c}": grade for c in CRITERIA}
    form.update({"overall": grade, "comments": "Clear outcomes; section D is thin."})
    form.update(overrides)
    return form


def post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    token = form_token(client.get(path))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def signed_in_as(web: TestClient, email: str) -> TestClient:
    assert sign_in(web, email).status_code == 303
    return web


def test_a_qa_member_reads_the_sampled_plan_and_marks_it(web, web_svc, world):
    qa_id, email = _user(web_svc, "qa")
    client = signed_in_as(web, email)
    reference = qa.round_view(web_svc, world["round"])["items"][0]["reference"]

    index = client.get("/qa")
    assert index.status_code == 200
    assert reference in index.text and "Read and mark" in index.text
    assert f'<a class="govuk-link" href="/qa/rounds/{world["round"]}/items/{world["item"]}">' in (
        index.text
    )

    page_path = f"/qa/rounds/{world['round']}/items/{world['item']}"
    page = client.get(page_path)
    assert page.status_code == 200
    for text in (
        "Section A: ",
        "Section K: ",
        "Alex Fairweather",
        "Small-group social communication",
    ):
        assert text in page.text
    assert 'name="rating-preparation_for_adulthood"' not in page.text  # Year 5: not rated
    assert 'name="rating-child_voice"' in page.text and "Meets the Code of Practice" in page.text
    with web_svc.sessions() as session:
        logged = session.scalars(
            select(AccessLog.action).where(
                AccessLog.user_id == qa_id, AccessLog.case_id == world["plan"].case_id
            )
        ).all()
    assert logged and all("plan version" in a for a in logged)

    saved = post(client, page_path, marks())
    assert saved.status_code == 303 and saved.headers["location"].endswith("status=marked")
    scores = qa.round_view(web_svc, world["round"])["items"][0]["scores"]
    assert [(s["marker_id"], s["overall"]) for s in scores] == [(qa_id, "good")]
    assert scores[0]["ratings"]["preparation_for_adulthood"] == "not_applicable"
    assert "Your marks are saved" in client.get(saved.headers["location"]).text


def test_missing_ratings_are_errors_and_nothing_is_saved(web, web_svc, world):
    _, email = _user(web_svc, "qa")
    client = signed_in_as(web, email)
    page_path = f"/qa/rounds/{world['round']}/items/{world['item']}"
    form = marks()
    del form["rating-e"]
    form["overall"] = "brilliant"
    refused = post(client, page_path, form)
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert 'href="#rating-e"' in refused.text and "Select a rating for section E" in refused.text
    assert 'href="#overall"' in refused.text
    assert 'value="good" checked' in refused.text  # what was chosen is kept
    assert qa.round_view(web_svc, world["round"])["items"][0]["scores"] == []


def test_moderation_and_results(web, web_svc, world):
    _, first_email = _user(web_svc, "qa")
    _, second_email = _user(web_svc, "qa")
    page_path = f"/qa/rounds/{world['round']}/items/{world['item']}"
    post(signed_in_as(web, first_email), page_path, marks("good"))
    web.cookies.clear()
    post(signed_in_as(web, second_email), page_path, marks("requires_improvement"))
    web.cookies.clear()
    _, manager = _user(web_svc, "manager", world["team"])
    client = signed_in_as(web, manager)
    moderation = client.get(page_path + "/moderation")
    assert moderation.status_code == 200
    assert "Pat Qa" in moderation.text and "Requires improvement" in moderation.text
    done = post(client, page_path + "/moderation", marks("good", comments="Add a health outcome"))
    assert done.status_code == 303
    mod = qa.round_view(web_svc, world["round"])["items"][0]["moderation"]
    assert (mod["overall"], mod["feedback"]) == ("good", "Add a health outcome")
    results = client.get(f"/qa/rounds/{world['round']}/results")
    assert results.status_code == 200
    assert "100.0%" in results.text and "(1 of 1)" in results.text
    assert "Agreement between markers" in results.text


def test_a_manager_starts_a_round_and_bad_input_is_explained(web, web_svc):
    _, manager = _user(web_svc, "manager")
    client = signed_in_as(web, manager)
    assert client.get("/qa/rounds/new").status_code == 200
    bad = post(
        client,
        "/qa/rounds/new",
        {"start-day": "31", "start-month": "2", "start-year": "2026", "size": "5", "percent": "10"},
    )
    assert bad.status_code == 400
    assert "must be a real date" in bad.text and 'href="#start-day"' in bad.text
    assert "Enter the last day of the period" in bad.text
    with web_svc.sessions() as session:
        before = session.scalar(select(QaRound.id).order_by(QaRound.id.desc()).limit(1))
    good = {
        "name": "Spring audit",
        **{"start-day": "1", "start-month": "1", "start-year": "2019"},
        **{"end-day": "31", "end-month": "1", "end-year": "2019"},
        "percent": "10",
        "seed": "42",
    }
    started = post(client, "/qa/rounds/new", good)
    assert started.status_code == 303
    round_id = int(started.headers["location"].split("/")[3].split("?")[0])
    assert before is None or round_id > before
    view = qa.round_view(web_svc, round_id)
    assert (view["name"], view["seed"], view["percent"]) == ("Spring audit", 42, 10.0)
    assert "The QA round has started" in client.get(started.headers["location"]).text


@pytest.mark.parametrize("role", ["officer", "contributor", "admin"])
def test_other_roles_cannot_open_the_qa_pages(web, web_svc, world, role):
    _, email = _user(web_svc, role)
    client = signed_in_as(web, email)
    for path in ("/qa", f"/qa/rounds/{world['round']}", f"/qa/rounds/{world['round']}/items/1"):
        assert client.get(path).status_code == 403, path


def test_an_item_of_another_round_is_not_found(web, web_svc, world):
    _, email = _user(web_svc, "qa")
    client = signed_in_as(web, email)
    assert client.get(f"/qa/rounds/{world['round']}/items/999999").status_code == 404
    assert client.get("/qa/rounds/999999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(web):
    response = web.get("/qa", follow_redirects=False)
    assert response.status_code == 303 and "/sign-in" in response.headers["location"]


def test_a_pseudonymised_view_hides_the_childs_name(web, web_svc, world):
    _, email = _user(web_svc, "qa")
    client = signed_in_as(web, email)
    page_path = f"/qa/rounds/{world['round']}/items/{world['item']}"
    named = client.get(page_path)
    assert "Alex Fairweather" in named.text and "15 March 2016" in named.text
    hidden = client.get(page_path, params={"names": "hidden"})
    assert hidden.status_code == 200
    assert "Alex" not in hidden.text and "Fairweather" not in hidden.text
    assert "15 March 2016" not in hidden.text
    assert "Small-group social communication" in hidden.text  # the plan itself is all there
    assert "[the child] likes school" in hidden.text  # the name in the plan's own words too
    refused = post(client, page_path + "?names=hidden", {"names": "hidden", "overall": "good"})
    assert refused.status_code == 400 and "Alex" not in refused.text

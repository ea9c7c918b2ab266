"""A QA panel member in a real browser: signs in, opens the sampled plan from their sample,
marks it against the rubric (fixing a form error on the way), moderates it and sees the results;
a manager starts a round and reads the measures and the SEN2 report. axe-core runs on every page
at 1280 and 320 px, and each page is kept as a screenshot."""

from __future__ import annotations

from typing import Any

import pytest

from ehcp_engine.services import qa
from tests.browser.conftest import WIDTHS, Site
from tests.browser.support_qa_admin import go_to, issued_plan, look, person, sized_page, team
from tests.browser.test_sign_in_browser import sign_in
from tests.web.qa_world import sample_round

CRITERIA = (*"abcdefghijk", "outcomes_smart", "child_voice", "health_social_care")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_qa_member_marks_a_sampled_plan(browser: Any, width: str, site: Site) -> None:
    with sized_page(browser, site, width) as page:
        officer, _ = person(site, "officer", "Olu Officer", team(site))
        plan, issued_on = issued_plan(site, officer)
        round_id = sample_round(site.svc, issued_on, issued_on, 1, f"Audit of {issued_on:%d %B}")
        item = qa.round_view(site.svc, round_id)["items"][0]
        assert item["case_id"] == plan.case_id
        qa_id, email = person(site, "qa", "Quinn Panel")

        sign_in(page, email)
        page.wait_for_url(f"{site.base}/qa")  # their role's first page
        go_to(page, "Quality assurance")
        look(page, "Quality assurance", "qa-index")
        page.get_by_role("link", name=f"Read and mark plan {item['reference']}").click()
        look(page, f"Mark plan {item['reference']}", "qa-mark")
        assert "Ellis Brightwater" in page.content()  # the plan itself, sections A to K
        assert page.get_by_role("heading", name="Section K: ").count() == 1
        page.get_by_role("link", name="Hide the child's name").click()
        look(page, f"Mark plan {item['reference']}", "qa-mark-names-hidden")
        assert "Ellis" not in page.content() and "Brightwater" not in page.content()

        page.get_by_role("button", name="Save your marks").click()
        look(page, f"Mark plan {item['reference']}", "qa-mark-error")
        summary = page.locator(".govuk-error-summary")
        assert "Select a rating for section A" in summary.inner_text()
        summary.get_by_role("link", name="Select a rating for section A").click()
        assert page.evaluate("document.activeElement.name") == "rating-a"

        for criterion in CRITERIA:
            page.locator(f"input[name='rating-{criterion}'][value='good']").check()
        page.locator("input[name='overall'][value='good']").check()
        page.get_by_label("Comments (optional)").fill("Outcomes are specific; D is thin.")
        page.get_by_role("button", name="Save your marks").click()
        page.wait_for_url(f"{site.base}/qa/rounds/{round_id}?status=marked")
        look(page, "Audit of", "qa-round")
        assert "Marked by you" in page.content()
        scores = qa.round_view(site.svc, round_id)["items"][0]["scores"]
        assert [(s["marker_id"], s["overall"]) for s in scores] == [(qa_id, "good")]

        page.get_by_role("link", name=f"Moderate plan {item['reference']}").click()
        look(page, f"Moderate plan {item['reference']}", "qa-moderate")
        for criterion in CRITERIA:
            page.locator(f"input[name='rating-{criterion}'][value='good']").check()
        page.locator("input[name='overall'][value='good']").check()
        page.get_by_label("Feedback for the officer").fill("A good plan: add a health outcome.")
        page.get_by_role("button", name="Save the moderated result").click()
        page.wait_for_url(f"{site.base}/qa/rounds/{round_id}?status=moderated")

        page.get_by_role("link", name="See the results of this round").click()
        look(page, "Results", "qa-results")
        assert "100.0% (1 of 1)" in page.locator(".govuk-summary-list").first.inner_text()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_manager_starts_a_round_and_reads_the_measures(
    browser: Any, width: str, site: Site
) -> None:
    with sized_page(browser, site, width) as page:
        _, email = person(site, "manager", "Mo Manager", team(site))
        sign_in(page, email)
        page.wait_for_url(f"{site.base}/cases")  # a manager lands on the caseload
        go_to(page, "Quality assurance")
        page.get_by_role("button", name="Start a QA round").click()
        look(page, "Start a QA round", "qa-new-round")
        page.locator("#start-day").fill("")
        page.get_by_role("button", name="Draw the sample").click()
        look(page, "Start a QA round", "qa-new-round-error")
        assert "Enter how many plans to sample" in page.locator(".govuk-error-summary").inner_text()
        page.locator("#start-day").fill("1")
        page.get_by_label("Number of plans").fill("2")
        page.get_by_role("button", name="Draw the sample").click()
        page.wait_for_url("**/qa/rounds/*?status=started")
        look(page, "QA", "qa-round-started")

        go_to(page, "Measures")
        look(page, "Measures", "measures")
        assert "New EHC plans issued within 20 weeks" in page.content()
        page.locator("#from-month").fill("13")
        page.get_by_role("button", name="Show measures").click()
        look(page, "Measures", "measures-error")
        assert "The start date must be a real date" in page.content()
        page.get_by_role("link", name="Back to measures").count()
        page.goto("/measures")
        page.get_by_role("link", name="The SEN2 return: data-quality report and XML").click()
        look(page, "SEN2 return", "measures-sen2")

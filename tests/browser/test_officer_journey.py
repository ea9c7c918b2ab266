"""A case officer in a real browser: signs in, enters a new request, and takes the case through
the pages from request to final plan (the sequence of tests/scenarios/steps.to_final_plan, with
an advice request on the way), with axe-core run on every kind of page at 1280 and 320 px.

Every date is in the past (a request in January 2026), so the site's real clock allows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import WIDTHS, Site, check_accessible, new_page, screenshot_dir
from tests.browser.test_sign_in_browser import sign_in

Fill = Callable[[Any], None]


def shot(page: Any, name: str, width: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"officer-{name}-{width}.png"), full_page=True)


def fill_date(page: Any, prefix: str, day: int, month: int, year: int) -> None:
    page.fill(f"#{prefix}-day", str(day))
    page.fill(f"#{prefix}-month", str(month))
    page.fill(f"#{prefix}-year", str(year))


def new_request(page: Any) -> int:
    page.get_by_role("button", name="New request").click()
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Example")
    fill_date(page, "date_of_birth", 15, 3, 2015)
    fill_date(page, "received_on", 5, 1, 2026)
    page.get_by_label("Parent", exact=True).check()
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+\?recorded=request_received$"))
    return int(page.url.split("/cases/")[1].split("?")[0])


def act(page: Any, link: str, on: tuple[int, int, int], fill: Fill | None = None) -> None:
    """Follow an action link on the case page, fill the form, save, and land back on the case."""
    page.get_by_role("link", name=link, exact=True).click()
    fill_date(page, "event_on", *on)
    if fill is not None:
        fill(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/cases/\d+\?recorded=\w+$"))
    assert page.locator(".govuk-notification-banner--success").is_visible()


def ask_for_advice(page: Any) -> None:
    page.get_by_label("Educational", exact=True).check()
    page.get_by_label("Who was asked for advice").fill("Dr Lee, educational psychologist")


def pick_the_advice_request(page: Any) -> None:
    page.get_by_label("Dr Lee, educational psychologist").check()


def test_an_officer_takes_a_request_to_a_final_plan(page: Any, site: Site) -> None:
    sign_in(page, site.user(name="Jo Officer"))
    page.wait_for_url(f"{site.base}/cases")
    case_id = new_request(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Jordan Example"
    act(page, "Record the decision to assess", (10, 2, 2026))
    act(page, "Request advice", (11, 2, 2026), ask_for_advice)
    act(page, "Record advice received", (20, 2, 2026), pick_the_advice_request)
    act(page, "Record the decision to issue a plan", (27, 2, 2026))
    act(page, "Record that the draft plan was sent", (2, 3, 2026))
    act(
        page,
        "Record the final plan issued",
        (20, 3, 2026),
        lambda p: p.get_by_label("Setting named in the plan (optional)").fill("Oak Primary"),
    )
    assert "Final plan issued" in page.locator(".moj-timeline__title").first.inner_text()
    offered = page.locator(".app-actions").inner_text()
    assert "Record the final plan issued" not in offered and "Correct an event" in offered
    final = page.locator("tr", has_text="Final EHC plan issued").first.inner_text()
    assert "Met" in final
    shot(page, "case-final-plan", "desktop")
    page.goto("/cases?officer=mine")
    assert f"/cases/{case_id}" in page.content()


def test_an_action_form_shows_field_errors_and_keeps_the_answers(page: Any, site: Site) -> None:
    sign_in(page, site.user())
    page.wait_for_url(f"{site.base}/cases")
    new_request(page)
    page.get_by_role("link", name="Record an exception to a deadline", exact=True).click()
    fill_date(page, "event_on", 31, 2, 2026)
    page.get_by_label("Evidence for the exception (optional)").fill("Letter from the family")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Date the exception is recorded must be a real date" in summary.inner_text()
    assert "Select ground for the exception" in summary.inner_text()
    assert page.get_by_label("Evidence for the exception (optional)").input_value() == (
        "Letter from the family"
    )
    summary.get_by_role("link", name="Select ground for the exception").click()
    assert page.evaluate("document.activeElement.name") == "ground"  # the link leads to it


@pytest.mark.parametrize("width", list(WIDTHS))
def test_officer_pages_are_accessible(browser: Any, site: Site, width: str) -> None:
    page = new_page(browser, site, WIDTHS[width])
    try:
        email = site.user(name="Ash Officer")
        site.open_case("Sky", "Example", date(2026, 1, 5), site.last_user_id)
        sign_in(page, email)
        page.wait_for_url(f"{site.base}/cases")
        for name in ("caseload", "new-request", "new-request-errors", "case", "action-form"):
            if name == "new-request":
                page.goto("/cases/new")
            elif name == "new-request-errors":
                page.get_by_role("button", name="Open the case").click()
                assert page.locator(".govuk-error-summary").is_visible()
            elif name == "case":
                page.goto("/cases")
                page.get_by_role("link", name=re.compile("^EHC-")).first.click()
            elif name == "action-form":
                page.get_by_role("link", name="Record an exception to a deadline").click()
            check_accessible(page)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= WIDTHS[width], f"{name} is wider than the screen ({scroll}px)"
            shot(page, name, width)
    finally:
        page.context.close()

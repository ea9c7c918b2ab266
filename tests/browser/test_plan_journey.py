"""The plan in a real browser: an officer starts the draft, writes Sections A, B, E and F on their
forms (keyboard only, no JavaScript needed), issues it as the draft sent to the family, and
downloads it; axe-core checks every kind of plan page at 1280 and 320 px.

The case: request Mon 5 Jan 2026, decision to assess Tue 10 Feb, plan agreed Wed 1 Apr; the
draft is sent Wed 8 Apr 2026 (all past, so the site's real clock allows them).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from ehcp_engine.services.context import Actor
from ehcp_engine.services.write_path import EventIn, record_event
from tests.browser.conftest import WIDTHS, Site, check_accessible, new_page, screenshot_dir
from tests.browser.test_sign_in_browser import sign_in


def shot(page: Any, name: str, width: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"plan-{name}-{width}.png"), full_page=True)


def agreed_case(site: Site, officer_id: int, given: str) -> int:
    case_id = site.open_case(given, "Example", date(2026, 1, 5), officer_id)
    actor = Actor(user_id=officer_id, label="browser test", role="officer")
    for type_, on in (("assessment_agreed", date(2026, 2, 10)), ("plan_agreed", date(2026, 4, 1))):
        record_event(site.svc, case_id=case_id, event=EventIn(type_, on, {}), actor=actor)
    return case_id


def add_item(page: Any, section: str, fill: dict[str, str], ticks: tuple[str, ...] = ()) -> None:
    page.get_by_role("link", name=re.compile(f"^Change Section {section.upper()}:")).click()
    page.get_by_role("button", name=re.compile("^Add a ")).click()
    for label, value in fill.items():
        page.get_by_label(label, exact=True).fill(value)
    for label in ticks:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/sections/{section}\?saved={section}$"))
    page.get_by_role("link", name=re.compile("^Back to Version")).first.click()


def test_an_officer_writes_and_serves_the_draft_plan(page: Any, site: Site) -> None:
    email = site.user(name="Pat Planner")
    case_id = agreed_case(site, site.last_user_id, "Morgan")
    sign_in(page, email)
    page.goto(f"{site.base}/cases/{case_id}/plan")
    page.get_by_role("button", name="Start a new version").click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}/plan/\d+$"))
    version_url = page.url

    page.get_by_role("link", name=re.compile("^Change Section A:")).click()
    page.get_by_label("Views (optional)").fill("Morgan likes drawing and being outdoors.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"\?saved=a$"))
    add_item(
        page, "b", {"Description of the need": "Finds reading hard."}, ("Cognition and learning",)
    )
    add_item(page, "e", {"The outcome": "Reads a short book on their own by July 2027."})
    add_item(
        page,
        "f",
        {
            "The provision": "Daily phonics with a teaching assistant.",
            "How much (optional)": "30 minutes",
        },
        ("B1: Finds reading hard.", "E1: Reads a short book on their own by July 2027."),
    )
    assert "Morgan likes drawing" in page.content()

    page.get_by_role("button", name="Issue this version").click()
    page.get_by_label("Draft plan").check()
    for part, value in (("day", "8"), ("month", "4"), ("year", "2026")):
        page.fill(f"#on-{part}", value)
    page.get_by_role("button", name="Issue and record it").click()
    page.wait_for_url(re.compile(r"\?issued=1$"))
    assert "has been issued and recorded" in page.content()
    assert page.url.startswith(version_url)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download as PDF")).click()
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_plan_pages_are_accessible(browser: Any, site: Site, width: str) -> None:
    email = site.user(name="Axe Planner")
    case_id = agreed_case(site, site.last_user_id, "Riley")
    page = new_page(browser, site, WIDTHS[width])
    try:
        sign_in(page, email)
        page.goto(f"{site.base}/cases/{case_id}/plan")
        check_accessible(page)
        page.get_by_role("button", name="Start a new version").click()
        page.wait_for_url(re.compile(rf"/cases/{case_id}/plan/\d+$"))
        base = page.url
        pages = {
            "version": base,
            "section-a": f"{base}/sections/a",
            "section-b": f"{base}/sections/b",
            "new-need": f"{base}/sections/b/items/new",
            "new-provision": f"{base}/sections/f/items/new",
            "issue": f"{base}/issue",
        }
        for name, url in pages.items():
            page.goto(url)
            check_accessible(page)
            shot(page, name, width)
        page.goto(f"{base}/sections/b/items/new")
        page.get_by_role("button", name="Save").click()  # nothing filled in: errors
        assert page.locator(".govuk-error-summary").is_visible()
        check_accessible(page)
        shot(page, "need-errors", width)
        assert not page.problems, page.problems
    finally:
        page.context.close()

"""Every page of the sign-in service passes axe-core (no serious or critical violation) on a
desktop (1280 px) and on the narrowest phone (320 px), and never scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from ehcp_engine.services.password_reset import request_reset
from tests.browser.conftest import WIDTHS, Site, check_accessible, new_page
from tests.browser.test_sign_in_browser import sign_in


@pytest.fixture(params=sorted(WIDTHS), ids=sorted(WIDTHS))
def sized_page(request: pytest.FixtureRequest, browser: Any, site: Site) -> Iterator[Any]:
    made = new_page(browser, site, width=WIDTHS[request.param])
    yield made
    problems = list(made.problems)
    made.context.close()
    assert not problems, f"the page's assets or CSP failed: {problems}"


def check(page: Any, heading: str) -> None:
    assert heading in page.get_by_role("heading", level=1).inner_text()
    check_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def test_the_signed_out_pages(sized_page: Any, site: Site) -> None:
    page = sized_page
    page.goto("/sign-in")
    check(page, "Sign in")
    page.get_by_role("button", name="Sign in", exact=True).click()  # nothing entered
    check(page, "Sign in")
    assert page.title().startswith("Error: ")
    page.goto("/sign-in?status=signed-out")
    check(page, "Sign in")
    page.goto("/sign-in?status=oidc-failed")
    check(page, "Sign in")
    page.goto("/password-reset")
    check(page, "Reset your password")
    page.get_by_role("button", name="Send the link").click()
    check(page, "Reset your password")
    email = site.user()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    check(page, "Check your email")
    request_reset(site.svc, email)
    link = re.search(r"/password-reset/\S+", site.last_email_to(email))
    assert link is not None
    page.goto(link.group(0))
    check(page, "Choose a new password")
    page.get_by_role("button", name="Change password").click()
    check(page, "Choose a new password")
    page.goto("/password-reset/not-a-real-token")
    check(page, "expired")
    page.goto("/no-such-page")
    check(page, "Page not found")


def test_the_signed_in_pages(sized_page: Any, site: Site) -> None:
    page = sized_page
    email = site.user(name="Alexandra Longname-Officer")
    officer_id = site.last_user_id
    for i, (given, family) in enumerate([("Maximilian", "Featherstonehaugh"), ("Li", "Wu")]):
        site.open_case(given, family, date(2026, 3, 2 + i), officer_id)
    sign_in(page, email)
    page.wait_for_url(f"{site.base}/cases")
    check(page, "Cases")
    page.evaluate(
        """() => {
            const form = document.querySelector('form[action="/sign-out"]');
            form.querySelector('[name=csrf_token]').value = 'forged';
            form.submit();
        }"""
    )
    page.wait_for_load_state()
    check(page, "You cannot do that")


def test_a_user_without_case_access(sized_page: Any, site: Site) -> None:
    sign_in(sized_page, site.user("admin", name="Ada Admin"))
    sized_page.wait_for_url(f"{site.base}/admin")  # an administrator lands on their own pages
    sized_page.goto(f"{site.base}/cases")
    check(sized_page, "Cases")


def test_the_check_finds_a_violation_when_there_is_one(page: Any, site: Site) -> None:
    """Guards the harness: axe really runs, and a serious violation fails the check."""
    page.goto("/sign-in")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    with pytest.raises(AssertionError, match="image-alt"):
        check_accessible(page)


def test_govuk_frontend_scripts_run_under_the_content_security_policy(
    page: Any, site: Site
) -> None:
    page.goto("/sign-in")
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    show = page.get_by_role("button", name="Show password")
    show.click()  # the password input's JavaScript enhancement
    assert page.get_by_label("Password", exact=True).get_attribute("type") == "text"

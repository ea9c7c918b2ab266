"""Signing in and out, CSRF, lock-out, password reset and OpenID Connect in a real browser."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site, new_page, screenshot_dir
from tests.web.conftest import PASSWORD


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_and_out(page: Any, site: Site) -> None:
    email = site.user(name="Priya Officer")
    page.goto("/cases")
    assert page.url == f"{site.base}/sign-in?next=/cases"
    sign_in(page, email)
    page.wait_for_url(f"{site.base}/cases")
    assert page.get_by_role("heading", level=1).inner_text() == "Cases"
    assert "Signed in as Priya Officer" in page.locator("header").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site.base}/sign-in?status=signed-out")
    assert "You have signed out" in page.locator(".govuk-notification-banner").inner_text()
    page.goto("/cases")
    assert page.url.startswith(f"{site.base}/sign-in")


def test_it_works_without_javascript(browser: Any, site: Site) -> None:
    page = new_page(browser, site, javascript=False)
    try:
        sign_in(page, site.user())
        page.wait_for_url(f"{site.base}/cases")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{site.base}/sign-in?status=signed-out")
    finally:
        page.context.close()


def _post_sign_out_with(page: Any, token_js: str) -> Any:
    """Submit the page's sign-out form after changing its CSRF field; returns the response."""
    with page.expect_response(lambda r: r.url.endswith("/sign-out")) as answer:
        page.evaluate(
            """(change) => {
                const form = document.querySelector('form[action="/sign-out"]');
                const field = form.querySelector('[name=csrf_token]');
                if (change === null) { field.remove(); } else { field.value = change; }
                form.submit();
            }""",
            token_js,
        )
    page.wait_for_load_state()
    return answer.value


def test_a_form_post_without_or_with_a_wrong_csrf_token_is_refused(page: Any, site: Site) -> None:
    sign_in(page, site.user())
    page.wait_for_url(f"{site.base}/cases")
    for change in (None, "not-the-token"):
        refused = _post_sign_out_with(page, change)
        assert refused.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == "You cannot do that"
        page.goto("/cases")  # still signed in: the forged post did nothing
        assert page.url == f"{site.base}/cases"


def test_five_bad_passwords_lock_the_account_until_the_lock_expires(page: Any, site: Site) -> None:
    email = site.user()
    for attempt in range(5):
        sign_in(page, email, f"wrong password {attempt}")
        assert page.locator(".govuk-error-summary").is_visible()
    sign_in(page, email)  # the right password, but the account is locked
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.url == f"{site.base}/sign-in"
    site.clock.advance(minutes=16)
    sign_in(page, email)
    page.wait_for_url(f"{site.base}/cases")


def test_password_reset_by_emailed_link(page: Any, site: Site) -> None:
    email = site.user()
    page.goto("/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    link = re.search(r"http\S+/password-reset/\S+", site.last_email_to(email))
    assert link is not None
    page.goto(link.group(0))
    page.get_by_label("New password", exact=True).fill("four random words here")
    page.get_by_label("Confirm new password").fill("four random words here")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{site.base}/sign-in?status=password-changed")
    sign_in(page, email, "four random words here")
    page.wait_for_url(f"{site.base}/cases")
    page.goto(link.group(0))
    assert "expired or has already been used" in page.inner_text("h1")


def test_sign_in_with_the_organisation_account(page: Any, site: Site) -> None:
    site.provider.email = site.user(name="Olu Officer")
    page.goto("/sign-in?next=/cases")
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.wait_for_url(f"{site.base}/cases")
    assert "Signed in as Olu Officer" in page.locator("header").inner_text()


def test_keyboard_only_sign_in(page: Any, site: Site) -> None:
    email = site.user()
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    for _ in range(10):  # on through the header to the first field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.base}/cases")


def test_screenshots_of_sign_in_and_the_landing_page(page: Any, site: Site) -> None:
    email = site.user(name="Dana Officer")
    for i, (given, family) in enumerate([("Alex", "Example"), ("Sam", "Sample"), ("Jo", "Test")]):
        from datetime import date

        site.open_case(given, family, date(2026, 1, 5 + i), site.last_user_id)
    folder = screenshot_dir()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/sign-in")
        page.screenshot(path=str(folder / f"sign-in-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, email)
    page.wait_for_url(f"{site.base}/cases")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"cases-{width}.png"), full_page=True)
    assert page.locator("table tbody tr").count() == 3

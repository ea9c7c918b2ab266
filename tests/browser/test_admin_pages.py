"""An administrator in a real browser: lists the users, adds one (fixing a form error on the
way), changes how messages reach them, adds a team and an organisation, and sends a failed
message again, never seeing the child it was about. axe-core runs on every page at 1280 and
320 px, and each page is kept as a screenshot."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from ehcp_engine.persistence.models import OutboxMessage, User
from tests.browser.conftest import WIDTHS, Site
from tests.browser.support_qa_admin import go_to, look, person, sized_page
from tests.browser.test_sign_in_browser import sign_in
from tests.web.admin_world import failed_message_about

_n = itertools.count()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_an_admin_manages_users_and_retries_a_failed_message(
    browser: Any, width: str, site: Site
) -> None:
    with sized_page(browser, site, width) as page:
        _, email = person(site, "admin", "Ada Admin")
        _, message_id = failed_message_about(
            site.svc, "Zebedee", "Quartermaine", f"bounced{next(_n)}@example.gov.uk"
        )
        sign_in(page, email)
        page.wait_for_url(f"{site.base}/admin")  # their role's first page
        go_to(page, "Administration")
        look(page, "Administration", "admin-index")

        page.get_by_role("link", name="Users").click()
        look(page, "Users", "admin-users")
        assert email in page.content()
        page.get_by_role("button", name="Add a user").click()
        look(page, "Add a user", "admin-user-new")
        page.get_by_role("button", name="Add the user").click()
        look(page, "Add a user", "admin-user-new-error")
        assert "Enter the person's full name" in page.locator(".govuk-error-summary").inner_text()
        new_email = f"new.qa{next(_n)}.{width}@example.gov.uk"
        name = f"Nadia {width.title()}-Newcomer"
        page.get_by_label("Full name").fill(name)
        page.get_by_label("Work email address").fill(new_email)
        page.get_by_label("QA panel member").check()
        page.get_by_role("button", name="Add the user").click()
        page.wait_for_url(f"{site.base}/admin/users?status=added")
        look(page, "Users", "admin-users-added")

        page.get_by_role("link", name=name).click()
        look(page, name, "admin-user")
        page.get_by_role("checkbox", name="Text message").check()
        page.get_by_role("button", name="Save message settings").click()
        look(page, name, "admin-user-error")
        page.get_by_label("Mobile number for text messages").fill("07700 900982")
        page.get_by_role("button", name="Save message settings").click()
        assert "message settings are saved" in page.content()
        with site.svc.sessions() as session:
            made = session.scalar(select(User).where(User.email == new_email))
            assert made is not None and (made.role, made.channels) == (
                "qa",
                ["email", "sms", "inapp"],
            )

        page.goto("/admin/teams")
        look(page, "Teams", "admin-teams")
        page.goto("/admin/organisations")
        look(page, "Organisations", "admin-organisations")

        page.goto("/admin")
        page.get_by_role("link", name="Failed messages").click()
        look(page, "Failed messages", "admin-notifications")
        assert "Zebedee" not in page.content() and "Quartermaine" not in page.content()
        page.get_by_role("button", name=f"Send again message {message_id}").click()
        page.wait_for_url(f"{site.base}/admin/notifications?status=retried")
        look(page, "Failed messages", "admin-notifications-retried")
        with site.svc.sessions() as session:
            assert session.get(OutboxMessage, message_id).status == "pending"

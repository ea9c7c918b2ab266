"""Browser helpers for the QA panel, administration and measures pages: a page at each width, a
look at each page (axe-core, no sideways scroll, a screenshot to look at), the service
navigation, and the people and plans those journeys need (made through the services, as the page
tests in tests/web make them)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from ehcp_engine.services.auth import set_password
from ehcp_engine.services.directory import create_team
from ehcp_engine.services.users import create_user
from tests.browser.conftest import WIDTHS, Site, check_accessible, new_page, screenshot_dir
from tests.web.conftest import PASSWORD
from tests.web.qa_world import IssuedPlan, issue_a_final_plan

_n = itertools.count()


@contextmanager
def sized_page(browser: Any, site: Site, width: str) -> Iterator[Any]:
    """A fresh browser at a width of WIDTHS (1280 or 320 px); asset or CSP failures fail."""
    made = new_page(browser, site, width=WIDTHS[width])
    made.width_name = width
    yield made
    problems = list(made.problems)
    made.context.close()
    assert not problems, f"the page's assets or CSP failed: {problems}"


def look(page: Any, heading: str, shot: str) -> None:
    """The page is the one expected, passes axe-core, does not scroll sideways, and is kept as
    build/screenshots/<shot>-<width>.png for a person to look at."""
    page.screenshot(path=str(screenshot_dir() / f"{shot}-{page.width_name}.png"), full_page=True)
    assert heading in page.get_by_role("heading", level=1).inner_text()
    check_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def go_to(page: Any, section: str) -> None:
    """Follow a link of the service navigation (behind the Menu button on a phone)."""
    menu = page.get_by_role("button", name="Menu")
    if menu.count() and menu.is_visible():
        menu.click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=section).click()


def person(site: Site, role: str, name: str, team_id: int | None = None) -> tuple[int, str]:
    """(user id, email) of a new user with the password PASSWORD."""
    email = f"qa-admin-{role}{next(_n)}@example.gov.uk"
    user_id = create_user(site.svc, email, role, name, team_id=team_id)
    set_password(site.svc, email, PASSWORD)
    return user_id, email


def team(site: Site) -> int:
    return create_team(site.svc, f"Browser team {next(_n)}")


def issued_plan(site: Site, officer_id: int) -> tuple[IssuedPlan, date]:
    """A final plan issued on a day no other browser test uses: (plan, issue date)."""
    received = date(2023, 1, 2).toordinal() + 7 * next(_n)
    plan = issue_a_final_plan(
        site.svc, officer_id, "Ellis", "Brightwater", date.fromordinal(received)
    )
    return plan, date.fromordinal(received + 7 * 12)

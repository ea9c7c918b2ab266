"""Browser helpers for the contributor and manager journeys: a page at each width, and a look
at each page (axe-core, no sideways scroll, a screenshot). The people and cases come from
tests/web/roles.py, made through the services as the page tests make them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.browser.conftest import WIDTHS, Site, check_accessible, new_page, screenshot_dir


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
    a screenshot (build/screenshots/<shot>-<width>.png) for a person to look at."""
    path = screenshot_dir() / f"{shot}-{page.width_name}.png"
    page.screenshot(path=str(path), full_page=True)
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

"""A manager in a real browser: signs in, sees an overdue case of their team on the dashboard
(with the monthly timeliness charts), and reassigns it to another officer, fixing a form error
on the way. axe-core runs on every page at 1280 and 320 px."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ehcp_engine.persistence.models import Case
from tests.browser.conftest import WIDTHS, Site
from tests.browser.support_roles import go_to, look, sized_page
from tests.browser.test_sign_in_browser import sign_in
from tests.web.roles import new_team, open_case, person


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_manager_reassigns_an_overdue_case(browser: Any, width: str, site: Site) -> None:
    with sized_page(browser, site, width) as page:
        team = new_team(site.svc)
        _, manager = person(site.svc, "manager", "Mo Manager", team_id=team)
        away, _ = person(site.svc, "officer", "Olu Away-Officer", team_id=team)
        cover, _ = person(site.svc, "officer", "Priya Cover-Officer", team_id=team)
        case_id = open_case(site.svc, away, date(2026, 1, 5), "Lena")  # decision due 16 Feb 2026
        with site.svc.sessions() as session:
            reference = session.get(Case, case_id).reference

        sign_in(page, manager)
        page.wait_for_url(f"{site.base}/cases")
        go_to(page, "Dashboard")
        look(page, "Dashboard", "manager-dashboard")
        overdue = page.locator("#overdue-table")
        assert reference in overdue.inner_text()
        assert page.locator("svg.app-chart").count() == 3

        overdue.get_by_role("link", name=f"Reassign case {reference}").first.click()
        look(page, "Reassign the case", "manager-reassign")
        page.get_by_role("button", name="Reassign case").click()
        look(page, "Reassign the case", "manager-reassign-error")
        assert "Select the officer" in page.locator(".govuk-error-summary").inner_text()

        page.get_by_label("Priya Cover-Officer").check()
        page.get_by_label("Why is the case moving?").fill("Olu is on leave for a month.")
        page.get_by_role("button", name="Reassign case").click()
        page.wait_for_url(f"{site.base}/dashboard?moved={case_id}")
        look(page, "Dashboard", "manager-reassigned")
        assert "is now with Priya Cover-Officer" in page.content()
        with site.svc.sessions() as session:
            assert session.get(Case, case_id).officer_id == cover

"""The measures as a signed-in page (GOV.UK tables; exact numerators and denominators from a
small history built by hand), its CSV, filters with clear errors, and the SEN2 return for
managers. No child is named."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import Case
from ehcp_engine.services import sen2
from ehcp_engine.services.context import Services
from tests.measures.test_journey_measures import build
from tests.web.conftest import client_for, make_web_user, sign_in, web_settings

Y2025 = {
    **{"from-day": "1", "from-month": "1", "from-year": "2025"},
    **{"to-day": "31", "to-month": "12", "to-year": "2025"},
}
TWENTY_WEEKS = "New EHC plans issued within 20 weeks, including exceptions"


@pytest.fixture
def world(fresh_svc: Services) -> Iterator[dict[str, Any]]:
    svc = dataclasses.replace(fresh_svc, settings=web_settings())
    story = build(svc)
    for client in client_for(svc):
        yield {**story, "svc": svc, "client": client}


def signed_in(world: dict[str, Any], role: str) -> TestClient:
    client: TestClient = world["client"]
    client.cookies.clear()
    assert sign_in(client, make_web_user(world["svc"], role)).status_code == 303
    return client


def row(html: str, label: str) -> list[str]:
    """The numbers in the table row that starts with `label`."""
    found = re.search(re.escape(label) + r"</span>(.*?)</tr>", html, re.S)
    assert found, f"no row {label!r}"
    return re.findall(r'govuk-table__cell--numeric">\s*([^<\s]+)', found.group(1))


def test_the_measures_page_shows_each_measure_with_its_numerator_and_denominator(world):
    client = signed_in(world, "manager")
    page = client.get("/measures", params=Y2025)
    assert page.status_code == 200
    assert row(page.text, TWENTY_WEEKS) == ["1", "4", "25.0%"]
    assert "Decisions whether to assess within 6 weeks" in page.text
    assert "% of requests for assessment made by parents or young people" in page.text
    assert "Testchild" not in page.text  # aggregates only
    assert 'href="/measures/sen2"' in page.text  # a manager makes the SEN2 return
    north = client.get("/measures", params={**Y2025, "team": str(world["north"])})
    assert row(north.text, TWENTY_WEEKS)[1] == "2"  # A and B are North's


def test_the_page_is_signed_in_and_styled_by_the_site_css(world):
    response = world["client"].get("/measures", follow_redirects=False)
    assert response.status_code == 303 and "/sign-in" in response.headers["location"]
    client = signed_in(world, "officer")
    page = client.get("/measures")
    assert page.status_code == 200
    assert "<style" not in page.text and " style=" not in page.text  # the CSP allows neither
    assert 'href="/measures/sen2"' not in page.text  # officers do not make the return


def test_bad_filters_are_explained(world):
    client = signed_in(world, "officer")
    bad = client.get("/measures", params={**Y2025, "from-month": "13", "team": "999999"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.text
    assert 'href="#from-day"' in bad.text and "The start date must be a real date" in bad.text
    assert 'href="#team"' in bad.text
    backwards = client.get("/measures", params={**Y2025, "to-year": "2024"})
    assert "The end date must be the same as or after the start date" in backwards.text
    assert client.get("/measures", params={"form-day": "1"}).status_code == 400  # misspelt


def test_the_csv_download(world):
    client = signed_in(world, "officer")
    csv = client.get("/measures.csv", params=Y2025)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "final_plan_20w_incl,all," in csv.text


def test_the_sen2_return_for_managers(world):
    client = signed_in(world, "manager")
    report = client.get("/measures/sen2", params={"year": "2026"})
    assert report.status_code == 200
    assert "sex is not recorded" in report.text and "Testchild" not in report.text
    assert f'href="/cases/{world["a"]}"' in report.text  # each record links to its case
    assert "Download the 2026 return" not in report.text
    xml = client.get("/measures/sen2/2026.xml", follow_redirects=False)
    assert xml.status_code == 303 and xml.headers["location"] == "/measures/sen2?year=2026"
    assert client.get("/measures/sen2", params={"year": "1999"}).status_code == 400

    svc = world["svc"]
    with svc.sessions() as session:
        case_ids = session.scalars(select(Case.id)).all()
    for case_id in case_ids:  # what the workflow does not record, as an officer would add it
        sen2.set_person(svc, case_id, sen2.PersonIn(sex="F", upn_unknown="UN2"))
    fixed = client.get("/measures/sen2", params={"year": "2026"})
    assert "Download the 2026 return" in fixed.text
    xml = client.get("/measures/sen2/2026.xml")
    assert xml.status_code == 200 and b"<Persons>" in xml.content
    officer = signed_in(world, "officer")
    assert officer.get("/measures/sen2").status_code == 403
    assert officer.get("/measures/sen2/2026.xml").status_code == 403


@pytest.mark.parametrize("role", ["contributor", "admin"])
def test_roles_without_measures_are_refused(world, role):
    assert signed_in(world, role).get("/measures").status_code == 403

"""The case officer's pages over HTTP: caseload, new request, case page, action forms."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.models import AccessLog, AuditEvent, Case, User
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import EventIn, record_event
from tests.web.conftest import form_token, make_web_user, sign_in

TODAY = date(2026, 11, 25)  # the FakeClock's day (a Wednesday)


def user_id(svc: Services, email: str) -> int:
    with svc.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def open_case(
    svc: Services, officer: int | None, received: date, given: str = "Robin", family: str = "Ash"
) -> int:
    child = Child(given_name=given, family_name=family, date_of_birth=date(2015, 3, 15))
    request = EventIn("request_received", received, {"source": "parent"})
    actor = Actor(user_id=officer, label="test", role="officer")
    return create_case(svc, NewCase(child, request, officer_id=officer), actor)


def record(svc: Services, case_id: int, type_: str, on: date, **data: Any) -> None:
    actor = Actor(user_id=None, label="test", role="officer")
    record_event(svc, case_id=case_id, event=EventIn(type_, on, data), actor=actor)


def audit_types(svc: Services, case_id: int) -> list[str]:
    with svc.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent.type)
                .where(AuditEvent.case_id == case_id)
                .order_by(AuditEvent.seq)
            )
        )


def reference_of(svc: Services, case_id: int) -> str:
    with svc.sessions() as session:
        row = session.get(Case, case_id)
        assert row is not None and row.reference
        return row.reference


@pytest.fixture
def signed_officer(web: TestClient, web_svc: Services) -> tuple[TestClient, int]:
    email = make_web_user(web_svc, "officer", "Olu Officer")
    assert sign_in(web, email).status_code == 303
    return web, user_id(web_svc, email)


def case_of(svc: Services, reference: str) -> int:
    with svc.sessions() as session:
        found = session.scalar(select(Case.id).where(Case.reference == reference))
    assert found is not None
    return int(found)


def row_order(page: httpx.Response, references: list[str]) -> list[str]:
    return sorted(references, key=page.text.index)


def tag_after(page: httpx.Response, reference: str) -> str:
    """The status tag in the caseload row of a case."""
    row = page.text[page.text.index(reference) :]
    found = re.search(r'class="govuk-tag[^"]*">\s*([^<]+?)\s*<', row)
    assert found
    return found.group(1)


# --- caseload ------------------------------------------------------------------------------------


def test_caseload_is_sorted_by_next_deadline_with_a_worded_status(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    # The decision to assess is due 6 weeks after the request (Reg 5(1)).
    green = reference_of(web_svc, open_case(web_svc, me, date(2026, 11, 20)))  # due 1 Jan 2027
    red = reference_of(web_svc, open_case(web_svc, me, date(2026, 10, 1)))  # due 12 Nov 2026
    amber = reference_of(web_svc, open_case(web_svc, me, date(2026, 10, 16)))  # due 27 Nov 2026
    page = web.get("/cases")
    assert page.status_code == 200
    assert row_order(page, [green, red, amber]) == [red, amber, green]
    assert tag_after(page, red) == "Overdue"
    assert tag_after(page, amber) == "Due this week"
    assert tag_after(page, green) == "On track"
    assert 'href="/cases/new"' in page.text
    # Each case's live stage and its state.
    record(web_svc, case_of(web_svc, red), "assessment_agreed", date(2026, 11, 10))
    row = web.get("/cases").text.split(red)[1].split("</tr>")[0]
    assert '<td class="govuk-table__cell">Assessment: gathering advice</td>' in row
    assert "Request: " not in row  # the request stage closed with the decision


def test_caseload_filters(signed_officer: tuple[TestClient, int], web_svc: Services) -> None:
    web, me = signed_officer
    late = open_case(web_svc, me, date(2026, 10, 1))
    assessing = open_case(web_svc, me, date(2026, 11, 2))
    record(web_svc, assessing, "assessment_agreed", date(2026, 11, 10))
    unassigned = reference_of(web_svc, open_case(web_svc, None, date(2026, 11, 3)))
    late_ref, assessing_ref = reference_of(web_svc, late), reference_of(web_svc, assessing)

    overdue = web.get("/cases?overdue=yes").text
    assert late_ref in overdue and assessing_ref not in overdue
    stage = web.get("/cases?stage=assessment").text
    assert assessing_ref in stage and late_ref not in stage
    found = web.get(f"/cases?reference={assessing_ref.split('-')[1]}").text
    assert assessing_ref in found and late_ref not in found
    assert unassigned not in web.get("/cases").text  # mine only by default
    everyone = web.get(f"/cases?officer=all&reference={unassigned}").text
    assert unassigned in everyone  # the intake queue is in an officer's scope


def test_a_bad_cohort_year_is_a_field_error(signed_officer: tuple[TestClient, int]) -> None:
    web, _ = signed_officer
    page = web.get("/cases?cohort=20x7")
    assert page.status_code == 400
    assert "Enter the year of the transfer as 4 digits" in page.text
    assert 'href="#cohort"' in page.text


# --- new request ---------------------------------------------------------------------------------


def new_request_form(**changes: str) -> dict[str, str]:
    values = {
        "given_name": "Kit",
        "family_name": "Marlowe",
        "date_of_birth-day": "15",
        "date_of_birth-month": "3",
        "date_of_birth-year": "2016",
        "received_on-day": "2",
        "received_on-month": "11",
        "received_on-year": "2026",
        "source": "school",
        "year_group": "",
    }
    return {**values, **changes}


def my_case_count(svc: Services, me: int) -> int:
    with svc.sessions() as session:
        return int(session.scalar(select(func.count(Case.id)).where(Case.officer_id == me)) or 0)


def test_new_request_opens_a_case_held_by_the_officer(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    form = {**new_request_form(), "csrf_token": form_token(web.get("/cases/new"))}
    done = web.post("/cases/new", data=form, follow_redirects=False)
    assert done.status_code == 303
    case_id = int(done.headers["location"].split("/")[2].split("?")[0])
    page = web.get(done.headers["location"])
    assert "Kit Marlowe" in page.text and "Recorded" in page.text
    with web_svc.sessions() as session:
        row = session.get(Case, case_id)
        assert row is not None and row.officer_id == me and row.request_on == date(2026, 11, 2)
    assert audit_types(web_svc, case_id) == ["request_received"]


@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        ({"given_name": " "}, "given_name", "Enter the child&#39;s first name"),
        ({"source": ""}, "source", "Select who made the request"),
        ({"date_of_birth-day": "31", "date_of_birth-month": "2"}, "date_of_birth-day", "real date"),
        ({"received_on-month": ""}, "received_on-day", "must include a month"),
        ({"date_of_birth-year": "2027"}, "date_of_birth-day", "born after the request date"),
        ({"received_on-year": "2027"}, "received_on-day", "in the future"),
        ({"year_group": "9"}, "year_group", "from the year the date of birth gives"),
    ],
)
def test_new_request_errors_are_shown_on_their_field_and_open_nothing(
    signed_officer: tuple[TestClient, int],
    web_svc: Services,
    changes: dict[str, str],
    anchor: str,
    message: str,
) -> None:
    web, me = signed_officer
    before = my_case_count(web_svc, me)
    form = {**new_request_form(**changes), "csrf_token": form_token(web.get("/cases/new"))}
    page = web.post("/cases/new", data=form, follow_redirects=False)
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert f'href="#{anchor}"' in page.text
    assert message in page.text
    assert my_case_count(web_svc, me) == before


# --- the case page -------------------------------------------------------------------------------


def test_case_page_shows_stages_deadlines_timeline_and_logs_the_read(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 9, 7), given="Ada", family="Byron")
    record(web_svc, case_id, "assessment_agreed", date(2026, 10, 5))
    page = web.get(f"/cases/{case_id}")
    assert page.status_code == 200
    text = page.text
    assert "Ada Byron" in text
    assert "Assessment stage" in text and 'aria-current="step"' in text
    assert "Reg 5(1), 5(4)" in text and "Met" in text  # the 6-week decision, met, its source
    assert "moj-timeline__item" in text
    assert text.index("Assessment agreed") < text.index("Request received")  # newest first
    with web_svc.sessions() as session:
        reads = session.scalars(
            select(AccessLog).where(AccessLog.case_id == case_id, AccessLog.user_id == me)
        ).all()
    assert [r.action for r in reads] == ["read case"]


def test_a_case_outside_the_officers_scope_is_not_found(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, _ = signed_officer
    other = user_id(web_svc, make_web_user(web_svc, "officer"))
    theirs = open_case(web_svc, other, date(2026, 11, 2), given="Hidden")
    for path in (f"/cases/{theirs}", f"/cases/{theirs}/events/assessment_agreed", "/cases/0"):
        page = web.get(path)
        assert page.status_code == 404, path
        assert "Hidden" not in page.text and "Page not found" in page.text


# --- actions -------------------------------------------------------------------------------------


def event_post(web: TestClient, case_id: int, type_: str, on: date | None, **data: str) -> Any:
    form_page = web.get(f"/cases/{case_id}/events/{type_}")
    assert form_page.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', form_page.text)
    assert version
    form = {"csrf_token": form_token(form_page), "version": version.group(1), **data}
    if on is not None:
        form |= {"event_on-day": str(on.day), "event_on-month": str(on.month)}
        form["event_on-year"] = str(on.year)
    return web.post(f"/cases/{case_id}/events/{type_}", data=form, follow_redirects=False)


def test_only_the_actions_the_state_allows_are_offered(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 11, 2))
    page = web.get(f"/cases/{case_id}").text
    for offered in ("assessment_agreed", "assessment_refused", "request_withdrawn"):
        assert f"/cases/{case_id}/events/{offered}" in page
    assert f"/cases/{case_id}/events/exception_recorded" in page
    assert f"/cases/{case_id}/events/final_plan_issued" not in page
    assert web.get(f"/cases/{case_id}/events/final_plan_issued").status_code == 404
    assert web.get(f"/cases/{case_id}/events/no_such_event").status_code == 404


def test_after_an_appealable_decision_mediation_and_appeal_are_offered(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    """A refusal to assess (Mon 9 Nov 2026) can be disputed (Act s.51(2)(a)): the family's
    contact with a mediation adviser opens a mediation stage about that decision."""
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    assert "/events/mediation_adviser_contacted" not in web.get(f"/cases/{case_id}").text
    record(web_svc, case_id, "assessment_refused", date(2026, 11, 9), reasons="Needs are met")
    page = web.get(f"/cases/{case_id}").text
    assert f"/cases/{case_id}/events/mediation_adviser_contacted" in page
    assert f"/cases/{case_id}/events/appeal_registered" in page
    done = event_post(
        web, case_id, "mediation_adviser_contacted", date(2026, 11, 16), wants_mediation="yes"
    )
    assert done.status_code == 303, done.text[:2000]
    assert audit_types(web_svc, case_id)[-1] == "mediation_adviser_contacted"
    assert "Mediation stage" in web.get(f"/cases/{case_id}").text


def test_posting_an_action_records_the_event(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    done = event_post(web, case_id, "assessment_agreed", date(2026, 11, 9))
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{case_id}?recorded=assessment_agreed"
    assert audit_types(web_svc, case_id) == ["request_received", "assessment_agreed"]
    asked = event_post(
        web,
        case_id,
        "advice_requested",
        date(2026, 11, 10),
        advice_type="educational",
        contributor="Dr Lee, educational psychologist",
    )
    assert asked.status_code == 303
    page = web.get(f"/cases/{case_id}").text
    assert "Dr Lee, educational psychologist" in page


@pytest.mark.parametrize(
    ("type_", "on", "data", "anchor", "message"),
    [
        ("assessment_agreed", None, {}, "event_on-day", "Enter the date it happened"),
        ("assessment_agreed", date(2026, 12, 1), {}, "event_on-day", "in the future"),
        ("assessment_agreed", date(2026, 9, 1), {}, "event_on-day", "before"),
        ("assessment_refused", date(2026, 11, 9), {}, "reasons", "Enter reasons for the decision"),
        (
            "assessment_refused",
            date(2026, 11, 9),
            {"reasons": "x" * 5001},
            "reasons",
            "at most 5000 characters",
        ),
    ],
)
def test_bad_action_input_gives_field_errors_and_no_event(
    signed_officer: tuple[TestClient, int],
    web_svc: Services,
    type_: str,
    on: date | None,
    data: dict[str, str],
    anchor: str,
    message: str,
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    page = event_post(web, case_id, type_, on, **data)
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert f'href="#{anchor}"' in page.text, page.text
    assert message in page.text
    assert audit_types(web_svc, case_id) == ["request_received"]


def test_a_bad_day_in_a_date_is_a_field_error(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    page = event_post(
        web,
        case_id,
        "assessment_agreed",
        None,
        **{"event_on-day": "32", "event_on-month": "11", "event_on-year": "2026"},
    )
    assert page.status_code == 400 and "Date it happened must be a real date" in page.text
    assert audit_types(web_svc, case_id) == ["request_received"]


def test_a_stale_form_is_refused_and_writes_nothing(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    form_page = web.get(f"/cases/{case_id}/events/assessment_refused")
    record(web_svc, case_id, "request_withdrawn", date(2026, 11, 2), reason="moved away")
    form = {
        "csrf_token": form_token(form_page),
        "version": re.search(r'name="version" value="(\d+)"', form_page.text).group(1),  # type: ignore[union-attr]
        "event_on-day": "9",
        "event_on-month": "11",
        "event_on-year": "2026",
        "reasons": "needs can be met",
    }
    page = web.post(f"/cases/{case_id}/events/assessment_refused", data=form)
    assert page.status_code == 400
    assert "Someone else changed this case" in page.text
    assert audit_types(web_svc, case_id) == ["request_received", "request_withdrawn"]


def test_a_refused_exception_range_is_shown_as_a_problem(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    form_page = web.get(f"/cases/{case_id}/events/exception_recorded").text
    deadline = re.search(r'name="rule" type="radio" value="(\d+)"', form_page)
    assert deadline, "the exception form offers the case's open deadlines"
    page = event_post(
        web,
        case_id,
        "exception_recorded",
        date(2026, 11, 2),
        ground="personal_circumstances",
        rule=deadline.group(1),
        **{"from-day": "20", "from-month": "10", "from-year": "2026"},
        **{"to-day": "10", "to-month": "10", "to-year": "2026"},
    )
    assert page.status_code == 400
    assert "&#39;to&#39; is before &#39;from&#39;" in page.text
    assert audit_types(web_svc, case_id) == ["request_received"]


def test_recording_an_exception_and_correcting_an_event(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    case_id = open_case(web_svc, me, date(2026, 10, 1))
    record(web_svc, case_id, "assessment_agreed", date(2026, 11, 2))
    form_page = web.get(f"/cases/{case_id}/events/exception_recorded").text
    deadline = re.search(r'name="rule" type="radio" value="(\d+)"', form_page)
    assert deadline
    done = event_post(
        web,
        case_id,
        "exception_recorded",
        date(2026, 11, 3),
        ground="personal_circumstances",
        rule=deadline.group(1),
        family_informed="yes",
        **{"from-day": "2", "from-month": "11", "from-year": "2026"},
    )
    assert done.status_code == 303, done.text
    # The correction form is reached from the timeline with the record chosen.
    assert f"/cases/{case_id}/events/event_corrected?seq=2" in web.get(f"/cases/{case_id}").text
    fixed = event_post(
        web,
        case_id,
        "event_corrected",
        date(2026, 11, 4),
        seq="2",
        reason="the decision letter is dated 30 October",
        **{"occurred_on-day": "30", "occurred_on-month": "10", "occurred_on-year": "2026"},
    )
    assert fixed.status_code == 303, fixed.text
    assert audit_types(web_svc, case_id)[-2:] == ["exception_recorded", "event_corrected"]


def test_a_manager_can_do_casework_and_a_contributor_cannot(
    web: TestClient, web_svc: Services
) -> None:
    manager = make_web_user(web_svc, "manager")
    case_id = open_case(web_svc, user_id(web_svc, manager), date(2026, 10, 1))
    assert sign_in(web, manager).status_code == 303
    assert 'href="/cases/new"' in web.get("/cases").text
    assert event_post(web, case_id, "assessment_agreed", date(2026, 11, 2)).status_code == 303
    assert audit_types(web_svc, case_id)[-1] == "assessment_agreed"
    web.cookies.clear()
    assert sign_in(web, make_web_user(web_svc, "contributor")).status_code == 303
    for path in (f"/cases/{case_id}", "/cases/new", f"/cases/{case_id}/events/plan_agreed"):
        assert web.get(path).status_code in (403, 404), path
    assert "does not give access" in web.get("/cases").text


def test_caseload_pages_keep_the_filters(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    for _ in range(26):
        open_case(web_svc, me, date(2026, 10, 1))
    first = web.get("/cases?overdue=yes")
    assert first.text.count('class="govuk-link app-nowrap" href="/cases/') == 25
    following = re.search(r'href="(/cases\?[^"]*page=2)"', first.text)
    assert following and "overdue=yes" in following.group(1)
    second = web.get(following.group(1).replace("&amp;", "&"))
    assert second.text.count('class="govuk-link app-nowrap" href="/cases/') == 1


def test_posts_need_the_form_token_and_a_case_in_scope(
    signed_officer: tuple[TestClient, int], web_svc: Services
) -> None:
    web, me = signed_officer
    mine = open_case(web_svc, me, date(2026, 10, 1))
    theirs = open_case(web_svc, user_id(web_svc, make_web_user(web_svc)), date(2026, 10, 1))
    token = form_token(web.get("/cases"))
    form = {"version": "1", "event_on-day": "2", "event_on-month": "11", "event_on-year": "2026"}
    no_token = web.post(f"/cases/{mine}/events/assessment_agreed", data=form)
    assert no_token.status_code == 403
    out_of_scope = web.post(
        f"/cases/{theirs}/events/assessment_agreed", data={**form, "csrf_token": token}
    )
    assert out_of_scope.status_code == 404
    assert audit_types(web_svc, mine) == audit_types(web_svc, theirs) == ["request_received"]

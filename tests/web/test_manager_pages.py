"""The manager's pages: the dashboard's figures (the daily digest's, on a page) match cases built
by hand; reassigning a case records an audited `case_reassigned` through the write path and
moves the case; officers get neither page.

Each test has a database of its own (`fresh_svc`): the dashboard counts the unassigned intake
queue, which other tests' cases would fill."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import AccessLog, AuditEvent, Case
from ehcp_engine.services.context import Services
from ehcp_engine.services.replay import replay_case
from ehcp_engine.services.users import issue_token
from tests.web.conftest import client_for, form_token, sign_in, web_settings
from tests.web.roles import new_team, open_case, person, record

TODAY = date(2026, 3, 2)  # a Monday: "the next 7 days" run to Sunday 8 March


@pytest.fixture
def msvc(fresh_svc: Services) -> Services:
    fresh_svc.clock.set(TODAY)  # type: ignore[attr-defined]
    return dataclasses.replace(fresh_svc, settings=web_settings())


@pytest.fixture
def web(msvc: Services) -> Iterator[TestClient]:
    yield from client_for(msvc)


@pytest.fixture
def office(msvc: Services) -> dict:
    """Team A (a manager, officers Olu and Priya) and team B (officer Quinn), with cases whose
    deadlines are worked out by hand below."""
    team_a, team_b = new_team(msvc, "North team"), new_team(msvc, "South team")
    manager_id, manager_email = person(msvc, "manager", "Mo Manager", team_id=team_a)
    olu, olu_email = person(msvc, "officer", "Olu Officer", team_id=team_a)
    priya, _ = person(msvc, "officer", "Priya Officer", team_id=team_a)
    quinn, _ = person(msvc, "officer", "Quinn Officer", team_id=team_b)
    # Olu: decision to assess due 16 Feb (6 weeks from 5 Jan): 14 days overdue.
    late = open_case(msvc, olu, date(2026, 1, 5), "Lena")
    # Olu: decision due Fri 6 Mar (6 weeks from 23 Jan): due this week.
    soon = open_case(msvc, olu, date(2026, 1, 23), "Sami")
    # Priya: request 10 Nov 2025, assessed 1 Dec (in 6 weeks), no draft by week 14 (16 Feb):
    # at risk; health advice asked 2 Dec, due 13 Jan: overdue; the decision whether to issue
    # a plan is due today (16 weeks, Reg 10(1)): due this week.
    risky = open_case(msvc, priya, date(2025, 11, 10), "Rui")
    record(msvc, risky, "assessment_agreed", date(2025, 12, 1))
    record(
        msvc,
        risky,
        "advice_requested",
        date(2025, 12, 2),
        advice_type="health",
        contributor="Community Paediatrics",
    )
    # Quinn (team B): overdue and late, but not this manager's team.
    other = open_case(msvc, quinn, date(2025, 11, 3), "Tam")
    record(msvc, other, "assessment_agreed", date(2026, 1, 20))
    return {
        "manager_id": manager_id,
        "manager_email": manager_email,
        "olu": olu,
        "olu_email": olu_email,
        "priya": priya,
        "quinn": quinn,
        "late": late,
        "soon": soon,
        "risky": risky,
        "other": other,
    }


def _table(html: str, table_id: str) -> list[list[str]]:
    """The rows of one table, each cell's text."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(0), re.S)[1:]
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    strip = lambda c: " ".join(re.sub(r"<[^>]+>", " ", c).split())  # noqa: E731
    return [[strip(c) for c in row] for row in cells]


def _ref(svc: Services, case_id: int) -> str:
    with svc.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.reference or str(case_id)


def test_the_dashboard_shows_the_teams_deadlines_worked_out_by_hand(web, msvc, office):
    assert sign_in(web, office["manager_email"]).status_code == 303
    page = web.get("/dashboard")
    assert page.status_code == 200
    ref = {name: _ref(msvc, office[name]) for name in ("late", "soon", "risky", "other")}
    assert [r[:4] for r in _table(page.text, "overdue-table")] == [
        [ref["risky"], "Advice from a contributor", "13 Jan 2026", "48"],
        [ref["late"], "Decision whether to assess", "16 Feb 2026", "14"],
    ]
    assert [r[:4] for r in _table(page.text, "week-table")] == [
        [ref["risky"], "Notice of a decision not to issue a plan", "2 Mar 2026", "0"],
        [ref["soon"], "Decision whether to assess", "6 Mar 2026", "4"],
    ]
    at_risk = _table(page.text, "at-risk-table")
    assert [r[:5] for r in at_risk] == [
        [ref["risky"], "10 Nov 2025", "16 Feb 2026", "30 Mar 2026", "Priya Officer"]
    ]
    assert _table(page.text, "advice-table") == [["Community Paediatrics", "1", ref["risky"]]]
    assert ref["other"] not in page.text  # team B's case
    assert f'href="/cases/{office["late"]}"' in page.text


def test_the_dashboard_counts_by_team_and_officer(web, msvc, office):
    sign_in(web, office["manager_email"])
    page = web.get("/dashboard")
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page.text, re.S)
    by_officer = {
        tuple(
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        )
        for r in rows
    }
    assert ("North team", "Olu Officer", "1", "1") in by_officer
    assert ("North team", "Priya Officer", "1", "1") in by_officer
    assert not any("Quinn" in " ".join(r) for r in by_officer)


def test_the_monthly_charts_have_a_table_and_are_labelled(web, msvc, office):
    sign_in(web, office["manager_email"])
    page = web.get("/dashboard")
    # Rui's decision to assess (1 Dec 2025, within 6 weeks) is the team's only one; Tam's late
    # decision (20 Jan) is team B's and must not count.
    decisions = {r[0]: r[1:] for r in _table(page.text, "assessment_decision_6w-table")}
    assert decisions["Dec 25"] == ["1 of 1", "100.0%"]
    assert decisions["Jan 26"] == ["None", "–"]
    months = list(decisions)
    assert (months[0], months[-1], len(months)) == ("Apr 25", "Mar 26", 12)
    assert sum(1 for row in decisions.values() if row[0] != "None") == 1
    svg = re.search(
        r'<svg class="app-chart"[^>]*aria-labelledby="chart-assessment_decision_6w', page.text
    )
    assert svg, "the chart is an inline SVG image with a title"
    assert 'style="' not in page.text.split("<main", 1)[1]  # the CSP allows no inline style
    assert ">100%</text>" in page.text  # the bar's value is written on the chart


def test_reassigning_writes_an_audited_event_and_moves_the_case(web, msvc, office):
    sign_in(web, office["manager_email"])
    url = f"/cases/{office['late']}/reassign"
    form = web.get(url)
    assert form.status_code == 200 and "Priya Officer" in form.text
    assert "Quinn Officer" not in form.text  # another team's officer is not offered
    assert f'value="{office["manager_id"]}"' not in form.text  # officers carry the caseload
    assert ">None</textarea>" not in form.text
    response = web.post(
        url,
        data={"csrf_token": form_token(form), "officer": office["priya"], "reason": "Olu is away"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with msvc.sessions() as session:
        case = session.get(Case, office["late"])
        last = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == office["late"])
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert case is not None and case.officer_id == office["priya"]
    assert last is not None and last.type == "case_reassigned"
    assert last.data == {
        "officer_id": office["priya"],
        "reason": "Olu is away",
        "previous_officer_id": office["olu"],
    }
    assert last.actor == office["manager_email"]
    assert replay_case(msvc, office["late"])[1] == []  # the log still rebuilds the case
    after = web.get(response.headers["location"])
    assert "is now with Priya Officer" in after.text
    moved = [r for r in _table(after.text, "overdue-table") if r[0] == _ref(msvc, office["late"])]
    assert moved and moved[0][4].startswith("Priya Officer")


@pytest.mark.parametrize(
    ("officer", "reason", "message"),
    [
        ("quinn", "x", "there is no officer"),
        ("unknown", "x", "there is no officer"),
        ("olu", "x", "already with Olu Officer"),
        ("priya", "", "Enter why the case is moving"),
        ("", "x", "Select the officer to give the case to"),
    ],
)
def test_a_bad_reassignment_is_refused_and_nothing_changes(
    web, msvc, office, officer, reason, message
):
    sign_in(web, office["manager_email"])
    url = f"/cases/{office['late']}/reassign"
    chosen = {"quinn": office["quinn"], "unknown": 999_999, "olu": office["olu"]}
    chosen["priya"] = office["priya"]
    response = web.post(
        url,
        data={
            "csrf_token": form_token(web.get(url)),
            "officer": str(chosen.get(officer, "")),
            "reason": reason,
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and message.lower() in response.text.lower()
    with msvc.sessions() as session:
        assert session.get(Case, office["late"]).officer_id == office["olu"]
        types = session.scalars(
            select(AuditEvent.type).where(AuditEvent.case_id == office["late"])
        ).all()
    assert "case_reassigned" not in types


def test_another_teams_case_is_not_found_to_the_manager(web, office):
    sign_in(web, office["manager_email"])
    assert web.get(f"/cases/{office['other']}/reassign").status_code == 404
    assert web.get("/cases/999999/reassign").status_code == 404


def test_an_officer_gets_neither_the_dashboard_nor_reassign(web, msvc, office):
    sign_in(web, office["olu_email"])
    assert web.get("/dashboard").status_code == 403
    url = f"/cases/{office['late']}/reassign"
    assert web.get(url).status_code == 403
    token = form_token(web.get("/cases"))
    response = web.post(url, data={"csrf_token": token, "officer": office["priya"], "reason": "x"})
    assert response.status_code == 403
    with msvc.sessions() as session:
        assert session.get(Case, office["late"]).officer_id == office["olu"]


def test_reassign_over_the_json_api_is_for_managers_only(web, msvc, office):
    body = {
        "type": "case_reassigned",
        "occurred_on": TODAY.isoformat(),
        "data": {"officer_id": office["priya"], "reason": "Balancing caseloads"},
    }
    url = f"/api/v1/cases/{office['late']}/events"
    officer_token = issue_token(msvc, office["olu"])
    refused = web.post(url, json=body, headers={"Authorization": f"Bearer {officer_token}"})
    assert refused.status_code == 403
    manager_token = issue_token(msvc, office["manager_id"])
    done = web.post(url, json=body, headers={"Authorization": f"Bearer {manager_token}"})
    assert done.status_code == 201
    with msvc.sessions() as session:
        assert session.get(Case, office["late"]).officer_id == office["priya"]
        refusals = session.scalars(
            select(AccessLog.detail).where(
                AccessLog.case_id == office["late"], AccessLog.action == "refused"
            )
        ).all()
    assert any("case_reassigned" in r for r in refusals)  # the officer's try is on record
    correction = {
        "type": "event_corrected",
        "occurred_on": TODAY.isoformat(),
        "data": {"seq": 2, "void": True, "reason": "undo"},
    }
    undone = web.post(url, json=correction, headers={"Authorization": f"Bearer {manager_token}"})
    assert undone.status_code == 422  # a reassignment is undone by reassigning, not voided

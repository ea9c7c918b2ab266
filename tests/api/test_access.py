"""Row-level access and the access log (UK GDPR special-category data).

Officers see their team's cases, their own, and the unassigned intake queue; anything else is
reported as not found (404), never forbidden, so its existence does not leak. Every read is
recorded, and an admin can answer "who looked at this child's record?" and export everything
held about the child.
"""

from __future__ import annotations

from itertools import count

from ehcp_engine.persistence.models import Team, User
from ehcp_engine.services.users import create_user, issue_token
from tests.api.conftest import Api, bearer, make_user

_teams = count(1)


def _team(svc) -> int:
    with svc.sessions.begin() as session:
        team = Team(name=f"Team {next(_teams)} {id(session)}")
        session.add(team)
        session.flush()
        return team.id


def _officer(svc, team_id: int | None) -> tuple[int, dict[str, str]]:
    user_id = create_user(svc, f"officer-t{team_id}-{next(_teams)}@example.gov.uk", "officer")
    with svc.sessions.begin() as session:
        session.get(User, user_id).team_id = team_id
    return user_id, bearer(issue_token(svc, user_id))


def test_an_officer_sees_their_teams_cases_and_not_another_teams(svc, client):
    north, south = _team(svc), _team(svc)
    alice, alice_auth = _officer(svc, north)
    _bob, bob_auth = _officer(svc, north)
    _carol, carol_auth = _officer(svc, south)
    case = Api(client, alice_auth).open(officer_id=alice)

    assert client.get(f"/api/v1/cases/{case['id']}", headers=bob_auth).status_code == 200
    for path in (
        f"/api/v1/cases/{case['id']}",
        f"/api/v1/cases/{case['id']}/audit",
        f"/api/v1/cases/{case['id']}/notices",
    ):
        response = client.get(path, headers=carol_auth)
        assert response.status_code == 404, path
        assert case["child"]["family_name"] not in response.text
    refused = Api(client, carol_auth).post(case["id"], "assessment_agreed", "2026-02-10")
    assert refused.status_code == 404
    assert Api(client, alice_auth).case(case["id"])["version"] == 1  # nothing written
    listed = client.get(f"/api/v1/cases?officer={alice}", headers=carol_auth).json()
    assert listed["total"] == 0
    listed = client.get(f"/api/v1/cases?officer={alice}", headers=bob_auth).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]


def test_the_unassigned_intake_queue_is_visible_to_every_officer(svc, client):
    _x, north_auth = _officer(svc, _team(svc))
    _y, south_auth = _officer(svc, _team(svc))
    case = Api(client, north_auth).open()  # no officer yet
    assert client.get(f"/api/v1/cases/{case['id']}", headers=south_auth).status_code == 200


def test_whole_authority_scope_is_a_setting(svc, client):
    alice, alice_auth = _officer(svc, _team(svc))
    _z, other_auth = _officer(svc, _team(svc))
    case = Api(client, alice_auth).open(officer_id=alice)
    assert client.get(f"/api/v1/cases/{case['id']}", headers=other_auth).status_code == 404
    svc.settings.case_scope = "la"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=other_auth).status_code == 200


def test_a_manager_sees_their_teams_cases_and_a_manager_in_no_team_sees_every_team(svc, client):
    north, south = _team(svc), _team(svc)
    alice, alice_auth = _officer(svc, north)
    case = Api(client, alice_auth).open(officer_id=alice)
    managers = {}
    for name, team in (("north", north), ("south", south), ("head", None)):
        user_id = create_user(svc, f"manager-{name}-{next(_teams)}@example.gov.uk", "manager")
        with svc.sessions.begin() as session:
            session.get(User, user_id).team_id = team
        managers[name] = bearer(issue_token(svc, user_id))
    seen = {
        name: client.get(f"/api/v1/cases/{case['id']}", headers=auth).status_code
        for name, auth in managers.items()
    }
    assert seen == {"north": 200, "south": 404, "head": 200}


def test_every_read_is_logged_and_an_admin_can_say_who_looked(svc, client):
    alice, alice_auth = _officer(svc, _team(svc))
    api = Api(client, alice_auth)
    case = api.open(officer_id=alice)
    api.case(case["id"])
    api.audit(case["id"])
    _admin, admin_token = make_user(svc, "admin")
    admin = bearer(admin_token)
    log = client.get(f"/api/v1/admin/cases/{case['id']}/access-log", headers=admin)
    assert log.status_code == 200
    reads = [(e["action"], e["user_id"]) for e in log.json()]
    assert ("read case", alice) in reads and ("read audit log", alice) in reads
    assert all(e["client"] for e in log.json() if e["action"].startswith("read"))
    # An officer may not ask; an admin may not read the case itself.
    assert (
        client.get(f"/api/v1/admin/cases/{case['id']}/access-log", headers=alice_auth).status_code
        == 403
    )
    assert client.get(f"/api/v1/cases/{case['id']}", headers=admin).status_code == 403


def test_subject_access_export_holds_everything_and_is_itself_logged(svc, client):
    alice, alice_auth = _officer(svc, _team(svc))
    api = Api(client, alice_auth)
    case = api.open(officer_id=alice)
    api.do(case["id"], "assessment_agreed", "2026-02-10")
    api.case(case["id"])
    _admin, admin_token = make_user(svc, "admin")
    response = client.get(
        f"/api/v1/admin/cases/{case['id']}/subject-access-export", headers=bearer(admin_token)
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    export = response.json()
    assert export["case"]["child"] == case["child"]
    assert [r["type"] for r in export["audit_log"]] == ["request_received", "assessment_agreed"]
    assert [(e["action"], e["user_id"]) for e in export["access_log"]] == [("read case", alice)]
    again = client.get(
        f"/api/v1/admin/cases/{case['id']}/access-log", headers=bearer(admin_token)
    ).json()
    assert again[0]["action"] == "subject access export"

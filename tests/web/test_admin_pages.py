"""Administration pages: users (add with role, team and organisation; message channels;
deactivate), teams, organisations and failed messages with retry. Admins never see a child's
name, and only admins get in."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ehcp_engine.persistence.models import OutboxMessage, User
from ehcp_engine.services.directory import create_organisation, create_team
from tests.web.admin_world import failed_message_about
from tests.web.conftest import form_token, make_web_user, sign_in

_n = itertools.count()


@pytest.fixture
def admin(web: TestClient, web_svc) -> TestClient:
    assert sign_in(web, make_web_user(web_svc, "admin")).status_code == 303
    return web


def post(client: TestClient, page: str, action: str, data: dict[str, Any]) -> Any:
    token = form_token(client.get(page))
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def _user(svc, email: str) -> User:
    with svc.sessions() as session:
        found = session.scalar(select(User).where(User.email == email))
        assert found is not None
        session.expunge(found)
        return found


def test_an_admin_adds_a_user_with_a_team_and_they_get_a_link(admin, web_svc):
    team = create_team(web_svc, f"North {next(_n)}")
    email = f"new.officer{next(_n)}@example.gov.uk"
    added = post(
        admin,
        "/admin/users/new",
        "/admin/users/new",
        {"name": " Nia  Officer ", "email": email.upper(), "role": "officer", "team_id": team},
    )
    assert added.status_code == 303, added.text
    listing = admin.get(added.headers["location"])
    assert "The user has been added" in listing.text and email in listing.text
    made = _user(web_svc, email)
    assert f'<a class="govuk-link" href="/admin/users/{made.id}">Nia Officer</a>' in listing.text
    assert (made.name, made.role, made.team_id, made.active) == (
        "Nia Officer",
        "officer",
        team,
        True,
    )
    with web_svc.sessions() as session:
        sent = session.scalar(select(OutboxMessage.template).where(OutboxMessage.audience == email))
    assert sent == "password_reset"


def test_bad_user_details_are_explained_and_nothing_is_added(admin, web_svc):
    taken = make_web_user(web_svc, "officer")
    page = "/admin/users/new"
    blank = post(admin, page, page, {"name": "", "email": "not-an-email", "role": "wizard"})
    assert blank.status_code == 400
    for anchor in ("#name", "#email", "#role"):
        assert f'href="{anchor}"' in blank.text
    contributor = post(admin, page, page, {"name": "C", "email": "c@x.org", "role": "contributor"})
    assert "Choose the organisation a contributor gives advice for" in contributor.text
    duplicate = post(admin, page, page, {"name": "Again", "email": taken, "role": "qa"})
    assert duplicate.status_code == 400
    assert "There is already an account with this email address" in duplicate.text
    ghost = post(
        admin, page, page, {"name": "G", "email": "g@x.org", "role": "qa", "team_id": "99999"}
    )
    assert "Choose a team from the list" in ghost.text
    with web_svc.sessions() as session:
        assert session.scalar(select(User.id).where(User.email.in_(["c@x.org", "g@x.org"]))) is None


def test_channels_and_deactivation(admin, web_svc):
    email = make_web_user(web_svc, "officer")
    person = _user(web_svc, email)
    page = f"/admin/users/{person.id}"
    no_phone = post(admin, page, page + "/channels", {"channels": ["email", "sms"], "phone": ""})
    assert no_phone.status_code == 400
    assert "Enter a mobile number to send text messages to" in no_phone.text
    assert _user(web_svc, email).channels == ["email", "inapp"]
    saved = post(admin, page, page + "/channels", {"channels": ["sms"], "phone": "07700 900982"})
    assert saved.status_code == 303
    changed = _user(web_svc, email)
    assert (changed.channels, changed.phone) == (["sms", "inapp"], "07700 900982")

    off = post(admin, page, page + "/active", {"active": "no"})
    assert off.status_code == 303
    assert _user(web_svc, email).active is False
    assert "The account is deactivated" in admin.get(off.headers["location"]).text
    other = TestClient(admin.app)
    assert sign_in(other, email).status_code == 401  # a deactivated account cannot sign in


def test_an_admin_cannot_deactivate_themselves(web, web_svc):
    email = make_web_user(web_svc, "admin")
    sign_in(web, email)
    me = _user(web_svc, email)
    page = f"/admin/users/{me.id}"
    refused = post(web, page, page + "/active", {"active": "no"})
    assert refused.status_code == 400
    assert "You cannot deactivate your own account" in refused.text
    assert _user(web_svc, email).active is True


def test_teams_and_organisations(admin, web_svc):
    name = f"South {next(_n)}"
    assert post(admin, "/admin/teams", "/admin/teams", {"name": name}).status_code == 303
    assert name in admin.get("/admin/teams").text
    again = post(admin, "/admin/teams", "/admin/teams", {"name": name.upper()})
    assert again.status_code == 400 and "There is already a team called" in again.text
    org = f"Health visiting {next(_n)}"
    page = "/admin/organisations"
    bad = post(admin, page, page, {"name": org, "kind": "", "email": "nope"})
    assert bad.status_code == 400 and 'href="#kind"' in bad.text
    assert org not in admin.get(page).text
    good = post(admin, page, page, {"name": org, "kind": "health", "manager_email": "m@nhs.net"})
    assert good.status_code == 303
    assert org in admin.get(page).text
    create_organisation(web_svc, f"EP {next(_n)}", "educational_psychology", None, None)


def test_failed_messages_are_listed_without_the_childs_name_and_retried(admin, web_svc):
    case_id, message_id = failed_message_about(
        web_svc, "Zebedee", "Quartermaine", "officer@example.gov.uk"
    )
    listing = admin.get("/admin/notifications")
    assert listing.status_code == 200
    assert (
        "550 mailbox unavailable" in listing.text
        and f"/notifications/{message_id}/" in listing.text
    )
    for path in ("/admin", "/admin/users", "/admin/notifications", "/admin/organisations"):
        text = admin.get(path).text
        assert "Zebedee" not in text and "Quartermaine" not in text, path
    retried = post(admin, "/admin/notifications", f"/admin/notifications/{message_id}/retry", {})
    assert retried.status_code == 303
    with web_svc.sessions() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None and (message.status, message.attempts) == ("pending", 0)
    assert f"/notifications/{message_id}/" not in admin.get("/admin/notifications").text
    assert case_id  # the message was about a real case


@pytest.mark.parametrize("role", ["officer", "manager", "qa", "contributor"])
def test_only_admins_get_in(web, web_svc, role):
    sign_in(web, make_web_user(web_svc, role))
    for path in (
        "/admin",
        "/admin/users",
        "/admin/users/new",
        "/admin/teams",
        "/admin/notifications",
    ):
        assert web.get(path).status_code == 403, path
    refused = web.post("/admin/teams", data={"name": "X", "csrf_token": "nope"})
    assert refused.status_code == 403

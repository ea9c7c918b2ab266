"""Fixtures for the notification tests.

- `smtp`: a real SMTP server (aiosmtpd) on 127.0.0.1 and a free port; it keeps every message it
  accepts, can refuse chosen recipients (550), and can be stopped and started again on the same
  port (an SMTP outage).
- `notify`: a local HTTP server speaking the part of GOV.UK Notify's API the engine uses
  (POST /v2/notifications/email and /sms, JWT bearer auth), which can be told to answer
  500, 429 or 400 to the next requests.
- `nsvc`: services over a fresh migrated database (SQLite, and PostgreSQL when
  EHCP_TEST_DATABASE_URL is set) with the repository's reminder rules, email over `smtp`, and a
  clock the test moves (`SimClock`).
- helpers that create teams, organisations, users with channels, and cases.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.models import Case, Organisation, OutboxMessage, Team, User
from ehcp_engine.services.bootstrap import reminder_config
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Clock, Services
from ehcp_engine.services.scheduler import run_job
from ehcp_engine.services.users import create_user
from ehcp_engine.services.write_path import EventIn, record_event
from ehcp_engine.settings import Settings

BASE_URL = "https://ehcp.example.gov.uk"
MAIL_FROM = "send-team@example.gov.uk"
SYSTEM = Actor.system("test")


# ---- a clock the test moves ----------------------------------------------------------------------


@dataclass
class SimClock(Clock):
    """`now` is a moment the test sets; by default midday UTC of the day it is set to."""

    moment: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def __post_init__(self) -> None:
        self.now = lambda: self.moment

    def set(self, day: date, at: time = time(12, 0)) -> None:
        self.moment = datetime.combine(day, at, tzinfo=UTC)

    def at(self, moment: datetime) -> None:
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


# ---- a real SMTP server ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str
    message_id: str
    raw: str


class _Sink:
    """aiosmtpd handler: keeps every accepted message; refuses recipients in `refuse`."""

    def __init__(self) -> None:
        self.messages: list[Mail] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        mail = Mail(
            to=tuple(a.lower() for a in envelope.rcpt_tos),
            # Unfolded; a long Subject is folded right after "Subject:" (RFC 5322 FWS).
            subject=str(parsed["Subject"]).strip(),
            body=body.get_content() if body is not None else "",
            message_id=str(parsed["Message-ID"]),
            raw=raw.decode("utf-8", "replace"),
        )
        with self.lock:
            self.messages.append(mail)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """A real SMTP server on 127.0.0.1; `stop()` and `start()` simulate an outage. With
    `credentials` it refuses mail until the client logs in with them (AUTH LOGIN/PLAIN)."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.sink = _Sink()
        self.controller: Controller | None = None
        self.credentials = credentials
        self.logins: list[str] = []
        self._seen = 0

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        login = auth_data.login.decode()
        self.logins.append(login)
        ok = self.credentials == (login, auth_data.password.decode())
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        auth: dict[str, Any] = {}
        if self.credentials is not None:
            auth = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,  # a test server on the loopback interface
            }
        self.controller = Controller(self.sink, hostname=self.host, port=self.port, **auth)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Mail]:
        with self.sink.lock:
            return list(self.sink.messages)

    def take(self) -> list[Mail]:
        """Messages received since the last call."""
        with self.sink.lock:
            new = self.sink.messages[self._seen :]
            self._seen = len(self.sink.messages)
        return list(new)

    def refuse(self, address: str) -> None:
        self.sink.refuse.add(address.lower())


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


# ---- a fake GOV.UK Notify ----------------------------------------------------------------------

NOTIFY_SERVICE_ID = str(uuid.UUID(int=0x5E5))
NOTIFY_SECRET = str(uuid.UUID(int=0x5EC2E7))
# Notify keys are "{key name}-{service id}-{secret}"; the client takes the last 73 characters.
NOTIFY_API_KEY = f"ehcp_test-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}"
EMAIL_TEMPLATE_ID = "11111111-1111-1111-1111-111111111111"
SMS_TEMPLATE_ID = "22222222-2222-2222-2222-222222222222"


@dataclass
class NotifyCall:
    path: str
    body: dict[str, Any]
    authorised: bool
    status: int


@dataclass
class FakeNotify:
    """Answers POST /v2/notifications/{email,sms} like GOV.UK Notify (API v2).

    `fail_next(500, 429, 400)` scripts the status of the next requests; afterwards it answers
    201 with a notification id, as Notify does.
    """

    url: str = ""
    calls: list[NotifyCall] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *statuses: int) -> None:
        with self.lock:
            self.script.extend(statuses)

    def delivered(self) -> list[NotifyCall]:
        with self.lock:
            return [c for c in self.calls if c.status == 201]

    def answer(self, path: str, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        authorised = _token_ok(auth)
        with self.lock:
            status = 403 if not authorised else (self.script.pop(0) if self.script else 201)
            self.calls.append(NotifyCall(path, body, authorised, status))
        if status == 201:
            return status, _created(path, body)
        return status, _error(status)


def _token_ok(header: str) -> bool:
    """Loose check of Notify's auth: a Bearer JWT signed (HS256) with the key's secret, whose
    issuer is the service id. (Notify also refuses tokens more than 30 s old; not checked.)"""
    if not header.startswith("Bearer "):
        return False
    try:
        claims = jwt.decode(header.removeprefix("Bearer "), NOTIFY_SECRET, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    return bool(claims.get("iss") == NOTIFY_SERVICE_ID and "iat" in claims)


def _created(path: str, body: dict[str, Any]) -> dict[str, Any]:
    notification_id = str(uuid.uuid4())
    content: dict[str, Any] = {"body": body.get("personalisation", {}).get("body", "")}
    if path.endswith("email"):
        content |= {"subject": body["personalisation"]["subject"], "from_email": MAIL_FROM}
    else:
        content |= {"from_number": "EHCP"}
    return {
        "id": notification_id,
        "reference": body.get("reference"),
        "content": content,
        "uri": f"/v2/notifications/{notification_id}",
        "template": {"id": body["template_id"], "version": 1, "uri": "/v2/template/x"},
    }


_ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: signature, api token not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type TEAM of 3000 requests per 60 s"),
    500: ("Exception", "Internal server error"),
}


def _error(status: int) -> dict[str, Any]:
    kind, message = _ERRORS.get(status, ("Exception", "error"))
    return {"errors": [{"error": kind, "message": message}], "status_code": status}


def _handler(fake: FakeNotify) -> type[BaseHTTPRequestHandler]:
    required = {
        "/v2/notifications/email": ("email_address", "template_id"),
        "/v2/notifications/sms": ("phone_number", "template_id"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path not in required:
                return self._reply(404, _error(404))
            missing = [k for k in required[self.path] if not body.get(k)]
            if missing:
                return self._reply(400, _error(400) | {"missing": missing})
            status, reply = fake.answer(self.path, body, self.headers.get("Authorization", ""))
            return self._reply(status, reply)

        def _reply(self, status: int, reply: dict[str, Any]) -> None:
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    fake = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


# ---- services ------------------------------------------------------------------------------------


def settings_for(
    smtp: SmtpServer | None = None, notify: FakeNotify | None = None, smtp_port: int | None = None
) -> Settings:
    values: dict[str, Any] = {"base_url": BASE_URL, "mail_from": MAIL_FROM, "env": "test"}
    if smtp is not None:
        smtp_port = smtp.port
    if smtp_port is not None:
        values |= {"smtp_host": "127.0.0.1", "smtp_port": smtp_port}
    if notify is not None:
        values |= {
            "notify_api_key": NOTIFY_API_KEY,
            "notify_base_url": notify.url,
            "notify_email_template_id": EMAIL_TEMPLATE_ID,
            "notify_sms_template_id": SMS_TEMPLATE_ID,
        }
    return Settings(**values)


def configure(svc: Services, settings: Settings) -> Services:
    """The repository's reminder rules, these settings, and a SimClock."""
    svc.settings = settings
    svc.reminders = reminder_config(settings, svc.config)
    svc.clock = SimClock()
    return svc


@pytest.fixture
def nsvc(fresh_svc: Services, smtp: SmtpServer) -> Services:
    """Services over a fresh database, sending email to the `smtp` server."""
    return configure(fresh_svc, settings_for(smtp=smtp))


def utc(moment: datetime | None) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite gives them back naive)."""
    assert moment is not None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def clock_of(svc: Services) -> SimClock:
    assert isinstance(svc.clock, SimClock)
    return svc.clock


def run_day(svc: Services, day: date, *jobs: str) -> dict[str, str]:
    """Run the named jobs (default: sweep, digest, dispatch) at midday UTC on `day`."""
    clock_of(svc).set(day)
    done = {}
    for name in jobs or ("sweep", "manager_digest", "dispatch"):
        run = run_job(svc, name)
        assert run.outcome == "ok", f"{name} on {day}: {run.detail}"
        done[name] = run.detail
    return done


# ---- people, organisations, cases ----------------------------------------------------------------


def add_team(svc: Services, name: str) -> int:
    with svc.sessions.begin() as session:
        team = Team(name=name)
        session.add(team)
        session.flush()
        return team.id


def add_org(
    svc: Services, name: str, *, email: str | None = None, manager_email: str | None = None
) -> int:
    with svc.sessions.begin() as session:
        org = Organisation(name=name, kind="other", email=email, manager_email=manager_email)
        session.add(org)
        session.flush()
        return org.id


def add_user(
    svc: Services,
    email_address: str,
    role: str,
    *,
    name: str = "",
    team_id: int | None = None,
    organisation_id: int | None = None,
    channels: list[str] | None = None,
    phone: str | None = None,
) -> int:
    user_id = create_user(svc, email_address, role, name)
    with svc.sessions.begin() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.team_id, user.organisation_id, user.phone = team_id, organisation_id, phone
        if channels is not None:
            user.channels = channels
    return user_id


def actor_of(svc: Services, user_id: int) -> Actor:
    with svc.sessions() as session:
        user = session.get(User, user_id)
        assert user is not None
        return Actor(user.id, user.email, user.role, user.team_id, user.organisation_id)


@dataclass(frozen=True)
class OpenedCase:
    id: int
    reference: str


def open_case(
    svc: Services,
    received_on: date,
    *,
    officer_id: int | None = None,
    family_email: str | None = None,
    given_name: str = "Zebedee",
    family_name: str = "Quillfeather",
    born: date = date(2016, 10, 1),
) -> OpenedCase:
    clock = clock_of(svc)
    if clock.today() < received_on:
        clock.set(received_on)
    child = Child(given_name=given_name, family_name=family_name, date_of_birth=born)
    request = EventIn("request_received", received_on, {"source": "parent"})
    case_id = create_case(
        svc,
        NewCase(child=child, request=request, officer_id=officer_id, family_email=family_email),
        SYSTEM,
    )
    with svc.sessions() as session:
        reference = session.scalar(select(Case.reference).where(Case.id == case_id))
    assert reference is not None
    return OpenedCase(case_id, reference)


def record(svc: Services, case_id: int, type_: str, on: date, **data: Any) -> None:
    """Record an event through the write path (moving the clock forward to its date if needed)."""
    clock = clock_of(svc)
    if clock.today() < on:
        clock.set(on)
    record_event(svc, case_id=case_id, event=EventIn(type_, on, data), actor=SYSTEM)


def outbox(svc: Services, **where: Any) -> list[OutboxMessage]:
    with svc.sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for column, value in where.items():
            query = query.where(getattr(OutboxMessage, column) == value)
        return list(session.scalars(query))


# ---- a small authority: one team, two contributing services ------------------------------------

EP = "Educational Psychology Service"
PAEDS = "Community Paediatrics"
OFFICER = "olivia@exampleshire.gov.uk"
MANAGER = "manny@exampleshire.gov.uk"
CONTRIBUTOR = "cara@ep.example.org"
EP_MANAGER = "ep-manager@ep.example.org"
PAEDS_INBOX = "paeds@nhs.example.org"
FAMILY = "parent@example.org"
CHILD_NAMES = ("Zebedee", "Quillfeather")  # the child's given and family names (never sent)


@dataclass(frozen=True)
class World:
    team: int
    officer: int
    manager: int
    contributor: int
    ep: int
    paeds: int


def build_world(svc: Services) -> World:
    """Team North: officer Olivia and manager Manny. The EP service has a contributor user (Cara)
    and a service manager's address; Community Paediatrics has only a shared inbox."""
    team = add_team(svc, "North")
    ep = add_org(svc, EP, manager_email=EP_MANAGER)
    paeds = add_org(svc, PAEDS, email=PAEDS_INBOX)
    return World(
        team=team,
        officer=add_user(svc, OFFICER, "officer", name="Olivia Officer", team_id=team),
        manager=add_user(svc, MANAGER, "manager", name="Manny Manager", team_id=team),
        contributor=add_user(svc, CONTRIBUTOR, "contributor", name="Cara", organisation_id=ep),
        ep=ep,
        paeds=paeds,
    )


def assessing_case(svc: Services, world: World, family_email: str | None = None) -> OpenedCase:
    """Request Mon 5 Jan 2026 (final plan due Mon 25 May 2026), decision to assess Tue 10 Feb,
    advice asked of the EP service and of Community Paediatrics on Wed 11 Feb: both due Wed 25 Mar
    2026 (6 weeks)."""
    case = open_case(svc, date(2026, 1, 5), officer_id=world.officer, family_email=family_email)
    record(svc, case.id, "assessment_agreed", date(2026, 2, 10))
    record(
        svc,
        case.id,
        "advice_requested",
        date(2026, 2, 11),
        advice_type="educational",
        contributor=EP,
    )
    record(
        svc, case.id, "advice_requested", date(2026, 2, 11), advice_type="health", contributor=PAEDS
    )
    return case

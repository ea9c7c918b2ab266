"""Browser tests: the real app served by uvicorn in a thread on a free port, a fresh SQLite
database, and Debian's Chromium driven by Playwright (never a browser Playwright downloads).

Every test here is skipped, with the reason, only when Chromium cannot be had: scripts/setup.sh
installs it (apt-get, as root). axe-core comes from frontend/node_modules (npm ci in setup.sh).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.app import create_app
from ehcp_engine.config import load_engine_config
from ehcp_engine.domain.case import Child
from ehcp_engine.persistence.db import make_engine, make_sessionmaker, migrate
from ehcp_engine.persistence.models import OutboxMessage
from ehcp_engine.services import auth
from ehcp_engine.services.auth import set_password
from ehcp_engine.services.cases import NewCase, create_case
from ehcp_engine.services.context import Actor, Clock, Services
from ehcp_engine.services.users import create_user
from ehcp_engine.services.write_path import EventIn
from ehcp_engine.settings import REPO_CONFIG, Settings
from tests.servers import OidcProvider, free_port, oidc_provider, serve
from tests.web.conftest import CHEAP_HASHER, PASSWORD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
WIDTHS = {"desktop": 1280, "mobile": 320}
_emails = itertools.count()


def _why_skip() -> str | None:
    if not os.path.exists(CHROMIUM):
        found = shutil.which("chromium")
        if found is None:
            return "Debian's chromium is not installed (scripts/setup.sh installs it as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (scripts/setup.sh installs it)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _why_skip()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class MovableClock(Clock):
    """Real time plus an offset the test moves (to let a lock-out expire)."""

    offset: timedelta = field(default_factory=timedelta)

    def __post_init__(self) -> None:
        self.now = lambda: datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Site:
    base: str
    svc: Services
    clock: MovableClock
    provider: OidcProvider
    last_user_id: int = 0

    def user(self, role: str = "officer", name: str = "Sam Officer") -> str:
        """A new user with the password PASSWORD; returns the email."""
        email = f"browser-{role}{next(_emails)}@example.gov.uk"
        user_id = create_user(self.svc, email, role, name)
        set_password(self.svc, email, PASSWORD)
        self.last_user_id = user_id
        return email

    def open_case(self, given: str, family: str, received_on: date, officer_id: int) -> int:
        child = Child(given_name=given, family_name=family, date_of_birth=date(2015, 3, 15))
        request = EventIn("request_received", received_on, {"source": "parent"})
        actor = Actor(user_id=officer_id, label="browser test", role="officer")
        return create_case(self.svc, NewCase(child, request, officer_id=officer_id), actor)

    def last_email_to(self, address: str) -> str:
        with self.svc.sessions() as session:
            body = session.scalars(
                select(OutboxMessage.body)
                .where(OutboxMessage.audience == address)
                .order_by(OutboxMessage.id.desc())
            ).first()
        assert body is not None, f"no message to {address} in the outbox"
        return body


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with pytest.MonkeyPatch.context() as patch, oidc_provider() as provider:
        patch.setattr(auth, "_hasher", CHEAP_HASHER)
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser')}/web.sqlite3")
        migrate(engine)
        port = free_port()
        settings = Settings(
            base_url=f"http://127.0.0.1:{port}",
            scheduler=False,
            login_attempts_per_minute=10_000,
            oidc_issuer=provider.issuer,
            oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
        )
        clock = MovableClock()
        svc = Services(make_sessionmaker(engine), load_engine_config(REPO_CONFIG), clock, settings)
        with serve(create_app(services=svc), port) as base:
            yield Site(base, svc, clock, provider)
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Problems(list[str]):
    """Console errors about the page's own assets or its Content-Security-Policy."""


def new_page(browser: Any, site: Site, width: int = 1280, javascript: bool = True) -> Any:
    context = browser.new_context(
        base_url=site.base,
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    problems = Problems()
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and ("Content Security Policy" in m.text or "/static/" in m.text)
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if "/static/" in r.url and r.status >= 400
            else None
        ),
    )
    page.problems = problems
    return page


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    made = new_page(browser, site)
    yield made
    problems = list(made.problems)
    made.context.close()
    assert not problems, f"the page's assets or CSP failed: {problems}"


def check_accessible(page: Any) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    assert AXE.exists(), f"{AXE} is missing: run scripts/setup.sh (npm ci in frontend/)"
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in bad
    ]
    assert not bad, f"{page.url}: " + "; ".join(described)


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("EHCP_SCREENSHOTS", REPO / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder

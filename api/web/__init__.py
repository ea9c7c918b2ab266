"""The web service: server-rendered pages (Jinja + GOV.UK Frontend) over the same services as the
JSON API. `install` mounts /static, adds the routers and makes errors on web paths pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import (
    admin_pages,
    advice_pages,
    auth,
    errors,
    home,
    manager_pages,
    measures_pages,
    officer,
    oidc,
    plan_pages,
    plan_section_pages,
    qa_pages,
)
from api.web.ratelimit import SlidingWindow

STATIC = Path(__file__).resolve().parent.parent / "static"


def install(app: FastAPI) -> None:
    """Call after the JSON API's routers and error handlers are installed."""
    svc = app.state.services
    app.state.web_limiter = SlidingWindow(svc.settings.login_attempts_per_minute)
    # check_dir=False: without `scripts/setup.sh` the assets are missing and pages unstyled.
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.include_router(home.router)
    app.include_router(auth.router)
    app.include_router(oidc.router)
    app.include_router(officer.router)
    app.include_router(advice_pages.router)
    app.include_router(qa_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(measures_pages.router)
    app.include_router(manager_pages.router)
    app.include_router(plan_pages.router)
    app.include_router(plan_section_pages.router)
    errors.install(app)

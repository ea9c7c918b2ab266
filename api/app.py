"""The FastAPI application: JSON API under /api/v1, health check, OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy import text

from api import (
    errors,
    routes_admin,
    routes_advice,
    routes_cases,
    routes_measures,
    routes_messages,
    routes_meta,
    routes_phase_transfer,
    routes_plans,
    web,
)
from api.deps import reject_unknown_query
from api.limits import BodySizeLimit, SecurityHeaders
from api.schemas import ErrorOut
from api.web.advice_pages import UPLOAD_PATH, upload_body_limit
from ehcp_engine.services.bootstrap import build_services
from ehcp_engine.services.context import Services
from ehcp_engine.services.scheduler import start
from ehcp_engine.settings import Settings


@asynccontextmanager
async def _scheduler_lifespan(app: FastAPI) -> AsyncIterator[None]:
    scheduler = start(app.state.services)
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    """The app. Built from settings (as `ehcp serve` does) it also runs the scheduler, unless
    EHCP_SCHEDULER=false; built around given services (tests) it never does."""
    settings = settings or Settings()
    with_scheduler = services is None and settings.scheduler
    app = FastAPI(
        title="EHCP lifecycle engine",
        version="0.1.0",
        description="Statutory stages, timers and audit log for Education, Health and Care plans.",
        lifespan=_scheduler_lifespan if with_scheduler else None,
        dependencies=[Depends(reject_unknown_query)],
        # Every operation may answer these; documenting them keeps clients honest.
        responses={code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 503)},
    )
    app.state.services = services or build_services(settings)
    errors.install(app)
    app.include_router(routes_cases.router)
    app.include_router(routes_meta.router)
    app.include_router(routes_phase_transfer.router)
    app.include_router(routes_messages.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_advice.router)
    app.include_router(routes_plans.router)
    app.include_router(routes_measures.router)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, Any]:
        with app.state.services.sessions() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    web.install(app)  # pages, /static, and HTML error pages for web paths
    # The advice upload route takes documents (each checked against the services' settings).
    max_upload = app.state.services.settings.max_upload_bytes
    uploads = upload_body_limit(max_upload, settings.max_body_bytes)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, larger=[(UPLOAD_PATH, uploads)]
    )
    app.add_middleware(SecurityHeaders)
    return app

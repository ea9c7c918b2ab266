"""The FastAPI application: JSON API under /api/v1, health check, OpenAPI at /docs."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from api import errors, routes_cases, routes_meta, routes_phase_transfer
from api.limits import BodySizeLimit
from ehcp_engine.services.bootstrap import build_services
from ehcp_engine.services.context import Services
from ehcp_engine.settings import Settings


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="EHCP lifecycle engine",
        version="0.1.0",
        description="Statutory stages, timers and audit log for Education, Health and Care plans.",
    )
    app.state.services = services or build_services(settings)
    errors.install(app)
    app.include_router(routes_cases.router)
    app.include_router(routes_meta.router)
    app.include_router(routes_phase_transfer.router)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, Any]:
        with app.state.services.sessions() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app

"""Jinja templates with the GOV.UK Frontend macros (govuk-frontend-jinja), and `render`.

Pages import macros as `govuk_frontend_jinja/components/<name>/macro.html`. Every page gets the
service name, the signed-in user (or none) and the CSRF token its forms must carry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.responses import Response

from api.web.deps import ANON_COOKIE, csrf_token_for, services_of, set_cookie, signed_in_user
from ehcp_engine.services.policy import allowed

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)

# The service navigation: (text, address, permission). Each role sees only the sections its
# permissions open (services/policy.py decides; the pages check again).
NAVIGATION: list[tuple[str, str, str]] = [
    ("Cases", "/cases", "case.list"),
    ("Advice requests", "/advice", "advice.read"),
    ("Dashboard", "/dashboard", "dashboard.read"),
    ("Quality assurance", "/qa", "qa.score"),
    ("Measures", "/measures", "measures.read"),
    ("Administration", "/admin", "users.admin"),
]


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    return [
        {"href": href, "text": text, "active": current_path.startswith(href)}
        for text, href, permission in NAVIGATION
        if allowed(user.actor, permission)
    ]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A page, with no-store (children's records must not stay in caches or history)."""
    svc = services_of(request)
    user = signed_in_user(request)
    page = {
        "service_name": f"EHCP service – {svc.settings.la_name}",
        "la_name": svc.settings.la_name,
        "user": user,
        "csrf_token": csrf_token_for(request),
        "oidc_enabled": svc.settings.oidc_enabled,
        "current_path": request.url.path,
        "navigation": navigation_for(user, request.url.path),
        **(context or {}),
    }
    errors: dict[str, str] = page.get("errors") or {}
    problem = page.get("problem")
    page["error_list"] = [{"text": problem}] if problem else []
    page["error_list"] += [{"text": text, "href": f"#{field}"} for field, text in errors.items()]
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    new_nonce = getattr(request.state, "new_anon_nonce", None)
    if new_nonce:
        set_cookie(response, request, ANON_COOKIE, new_nonce)
    return response

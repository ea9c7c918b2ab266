"""The case officer's pages, in the order their paths must match (/cases/new before
/cases/{id})."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import case_actions, case_page, caseload, new_request

router = APIRouter(include_in_schema=False)
for part in (caseload, new_request, case_page, case_actions):
    router.include_router(part.router)

"""Who may do what: the one place authorisation is decided (routes ask, never decide).

The engine core starts with role-level rules; row-level rules (teams, contributors' own advice
requests, QA samples) extend this module, not the routes.
"""

from __future__ import annotations

from ehcp_engine.domain.errors import Forbidden
from ehcp_engine.services.context import Actor

_CASEWORK = frozenset({"officer", "manager"})
PERMISSIONS: dict[str, frozenset[str]] = {
    "case.create": _CASEWORK,
    "case.event": _CASEWORK,
    # QA panels read only the cases of the plans sampled for audit (row level: services/access.py)
    # and reach them through the QA rounds, so they do not list cases.
    "case.read": _CASEWORK | {"qa"},
    "case.list": _CASEWORK,
    "audit.read": _CASEWORK,
    "messages.admin": frozenset({"admin"}),
    # Contributors read only what they were asked to advise on (row level: services/advice.py).
    "advice.read": frozenset({"contributor"}),
    "advice.submit": frozenset({"contributor"}),
    # The documents contributors send with advice: the officers of the case (row level: access).
    "advice.documents": _CASEWORK,
    # Answering "who looked at my child's file?" and subject access requests is an admin's job.
    "access.audit": frozenset({"admin"}),
    "jobs.read": frozenset({"admin", "manager"}),
    # Managers watch their teams' deadlines and move cases between officers.
    "dashboard.read": frozenset({"manager"}),
    "case.reassign": frozenset({"manager"}),
    # Users, teams, organisations and channel settings.
    "users.admin": frozenset({"admin"}),
    "notices.manage": _CASEWORK,
    # The plan itself (sections A-K): QA panels read the versions they sample.
    "plan.read": _CASEWORK | {"qa"},
    "plan.edit": _CASEWORK,
    # Measures dashboards and QA (audit/measures, audit/qa): aggregates and case ids, no names.
    "measures.read": frozenset({"manager", "officer", "qa"}),
    "qa.run": frozenset({"manager", "qa"}),
    "qa.score": frozenset({"qa", "manager"}),
    "sen2.export": frozenset({"manager"}),
    "sen2.edit": _CASEWORK,
    # Admins manage users but do not read children's records by default (UK GDPR minimisation).
    "rules.read": _CASEWORK | {"qa", "contributor", "admin"},
}


def allowed(actor: Actor, action: str) -> bool:
    return actor.role in PERMISSIONS.get(action, frozenset()) or actor.role == "system"


def require(actor: Actor, action: str) -> None:
    if not allowed(actor, action):
        raise Forbidden(f"a {actor.role} may not {action.replace('.', ' ')}")

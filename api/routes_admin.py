"""Admin: who looked at a child's record, and a subject access export of everything held."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import ActorDep, ClientDep, RowId, ServicesDep
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.services import access
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


def _known(case_id: RowId) -> int:
    if not 1 <= case_id <= ROW_ID_MAX:
        raise NotFound(f"no case {case_id}")
    return case_id


@router.get("/cases/{case_id}/access-log")
def access_log(case_id: RowId, svc: ServicesDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Every recorded read of the child's record (who, when, what, from where), newest first."""
    require(actor, "access.audit")
    return access.who_looked(svc, _known(case_id))


@router.get("/cases/{case_id}/subject-access-export")
def subject_access_export(
    case_id: RowId, svc: ServicesDep, actor: ActorDep, client: ClientDep
) -> Response:
    """A file with everything held about one child (UK GDPR Art. 15); the export is logged."""
    require(actor, "access.audit")
    export = access.subject_access_export(svc, _known(case_id))
    access.record_read(svc, actor, "subject access export", case_id, client)
    return Response(
        json.dumps(export, default=str, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="case-{case_id}-sar.json"'},
    )

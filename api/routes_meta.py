"""/api/v1/rules: the timer rules in force, with their legal sources, for anyone signed in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ActorDep, ServicesDep
from ehcp_engine.services.policy import require

router = APIRouter(prefix="/api/v1", tags=["meta"])


@router.get("/rules")
def rules(svc: ServicesDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Every rule set and timer: unit, amount, exception set and legal source."""
    require(actor, "rules.read")
    return [
        {
            "id": rs.id,
            "title": rs.title,
            "effective_from": rs.effective_from,
            "timers": [t.model_dump(exclude={"steps"}) for t in rs.timers.values()],
        }
        for rs in svc.config.rule_book.rule_sets
    ]

"""FastAPI dependencies: the services container and the signed-in actor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ehcp_engine.domain.events import ROW_ID_MAX
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.users import actor_for_token

_bearer = HTTPBearer(auto_error=False, description="An API token from `ehcp users create`")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number cannot name a row (422).
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


def get_actor(
    svc: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "sign in: send Authorization: Bearer <token>", challenge)
    actor = actor_for_token(svc, credentials.credentials)
    if actor is None:
        raise HTTPException(401, "the token is not valid (unknown, expired or revoked)", challenge)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_client(request: Request) -> str | None:
    """Where a request came from, for the access log."""
    return request.client.host if request.client else None


ClientDep = Annotated[str | None, Depends(get_client)]


def reject_unknown_query(request: Request) -> None:
    """A misspelt filter (`?overdu=true`) is an error, not a silently ignored one (422)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    unknown = sorted(set(request.query_params) - _query_names(dependant))
    if unknown:
        raise RequestValidationError(
            [
                {"loc": ("query", n), "msg": "unknown query parameter", "type": "extra_forbidden"}
                for n in unknown
            ]
        )


def _query_names(dependant: Any) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names

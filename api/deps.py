"""FastAPI dependencies: the services container and the signed-in actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.users import actor_for_token

_bearer = HTTPBearer(auto_error=False, description="An API token from `ehcp users create`")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


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

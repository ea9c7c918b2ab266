"""Domain errors. The API maps each to one status code; the message is for the person acting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Base class: something the person asked for cannot be done, and nothing was written."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


class EventRefused(DomainError):
    """The event is well formed but the case's state does not allow it (HTTP 409)."""

    status_code = 409


class VersionConflict(DomainError):
    """Someone else changed the case since it was read (HTTP 409)."""

    status_code = 409


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class EventInvalid(DomainError):
    """The input is wrong, field by field (HTTP 422). `field` is a dotted path in the body."""

    status_code = 422

    def __init__(self, field: str, message: str, more: list[tuple[str, str]] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [(field, message), *(more or [])]

    def as_detail(self) -> list[dict[str, object]]:
        return [
            {"loc": ["body", *field.split(".")], "msg": msg, "type": "value_error"}
            for field, msg in self.errors
        ]

    @classmethod
    def from_pydantic(cls, errors: Sequence[Mapping[str, Any]], prefix: str) -> EventInvalid:
        """Keep pydantic's messages, with locations relative to the request body."""
        pairs = [
            (".".join([prefix, *(str(p) for p in e["loc"])]).strip("."), str(e["msg"]))
            for e in errors
        ]
        return cls(pairs[0][0], pairs[0][1], pairs[1:])

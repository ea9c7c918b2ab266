"""Refuse request bodies over the configured size before they are read into memory (413)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

Scope = dict[str, Any]


class BodySizeLimit:
    """`larger`: (path pattern, bytes) for the few POST routes that take uploads; every other
    request keeps `max_bytes`."""

    def __init__(self, app: Any, max_bytes: int, larger: Sequence[tuple[str, int]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = [(re.compile(pattern), limit) for pattern, limit in larger]

    def limit_for(self, scope: Scope) -> int:
        if scope.get("method") == "POST":
            for pattern, limit in self.larger:
                if pattern.match(scope.get("path", "")):
                    return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0
        refused = False

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        async def guarded(message: Any) -> None:
            # The app may catch _TooLarge while parsing the body (FastAPI answers 400 "error
            # parsing the body"): whatever it answers then, the client gets the 413.
            nonlocal refused
            if seen > limit:
                if not refused:
                    refused = True
                    await self._refuse(send, limit)
                return
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            if not refused:
                await self._refuse(send, limit)

    async def _refuse(self, send: Any, limit: int) -> None:
        body = json.dumps({"detail": f"the request body is larger than {limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Children's records must not linger in shared caches or browser history.
NO_STORE = (b"cache-control", b"no-store")
# The OpenAPI pages load their script from a CDN; every other response allows only itself.
STRICT_CSP = (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """Security headers on every response; no-store on the API."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers += SECURITY_HEADERS
                if not path.startswith(("/docs", "/redoc")):
                    headers.append(STRICT_CSP)
                if path.startswith("/api/"):
                    headers.append(NO_STORE)
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

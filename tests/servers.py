"""Real HTTP servers for tests: an ASGI app served by uvicorn in a thread on 127.0.0.1, and a
small OpenID Connect provider that signs ID tokens with an RSA key.

The provider auto-approves whoever `email` names (no login page), checks the client's secret,
redirect address and PKCE verifier, and signs ID tokens with joserfc (Authlib's JOSE library;
`authlib.jose` is deprecated in its favour).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any, port: int) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1:port until the block ends; yields its base address."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class OidcProvider:
    """An OpenID provider for one client; `email` is who the next sign-in is."""

    client_id = "ehcp-test-client"
    client_secret = "s3cret/with:odd+chars"

    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.signing_key = self.key  # swap for another key to forge a token
        self.email = "nobody@example.gov.uk"
        self.email_verified = True
        self.codes: dict[str, dict[str, Any]] = {}
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI()
        app.get("/.well-known/openid-configuration")(self.discovery)
        app.get("/authorize")(self.authorize)
        app.post("/token")(self.token)
        app.get("/jwks")(self.jwks)
        return app

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, request: Request) -> RedirectResponse:
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            raise HTTPException(400, "bad client or response type")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": q["redirect_uri"],
            "nonce": q.get("nonce"),
            "challenge": q.get("code_challenge"),
            "email": self.email,
        }
        query = urlencode({"code": code, "state": q.get("state", ""), "iss": self.issuer})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)

    def token(
        self,
        request: Request,
        grant_type: str = Form(),
        code: str = Form(),
        redirect_uri: str = Form(),
        code_verifier: str = Form(),
    ) -> JSONResponse:
        self._check_client(request.headers.get("authorization", ""))
        grant = self.codes.pop(code, None)
        if grant_type != "authorization_code" or grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        digest = hashlib.sha256(code_verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if grant["redirect_uri"] != redirect_uri or grant["challenge"] != challenge:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant),
            }
        )

    def _check_client(self, header: str) -> None:
        from urllib.parse import unquote

        try:
            raw = base64.b64decode(header.removeprefix("Basic ")).decode()
            client_id, secret = (unquote(part) for part in raw.split(":", 1))
        except ValueError:
            raise HTTPException(401, "no client authentication") from None
        if (client_id, secret) != (self.client_id, self.client_secret):
            raise HTTPException(401, "wrong client credentials")

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "user-" + grant["email"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": grant["email"],
            "email_verified": self.email_verified,
        }
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, claims, self.signing_key)

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)


@contextmanager
def oidc_provider() -> Iterator[OidcProvider]:
    port = free_port()
    provider = OidcProvider(port)
    with serve(provider.app, port):
        yield provider

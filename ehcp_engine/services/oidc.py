"""Optional OpenID Connect sign-in (authorization code flow with PKCE and a nonce).

Configured by EHCP_OIDC_ISSUER, EHCP_OIDC_CLIENT_ID and EHCP_OIDC_CLIENT_SECRET. The provider's
endpoints come from its discovery document; the ID token's signature is checked against its JWKS
(joserfc, Authlib's JOSE library) and its claims with Authlib's `CodeIDToken` (issuer, audience,
expiry, nonce, authorised party). Users are matched by the verified email and must already
exist: signing in with the provider never creates an account.

What the browser carries between the redirect and the callback (state, nonce, PKCE verifier,
where to go next) is sealed in a short-lived cookie with an HMAC of EHCP_SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ehcp_engine.services.context import Services

CALLBACK_PATH = "/sign-in/oidc/callback"
PENDING_SECONDS = 600  # the user has ten minutes at the provider
_TIMEOUT = httpx.Timeout(10.0)
_discovered: dict[str, dict[str, Any]] = {}


class OidcError(Exception):
    """Sign-in with the provider failed; the message is for the log, not the user."""


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        return cast(dict[str, Any], response.json())
    except (httpx.HTTPError, ValueError) as err:
        raise OidcError(f"could not read {url}: {err}") from None


def discover(issuer: str) -> dict[str, Any]:
    """The provider's metadata (cached per process), checked to name the configured issuer."""
    if issuer not in _discovered:
        meta = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if meta.get("issuer") != issuer:
            raise OidcError(f"discovery names issuer {meta.get('issuer')!r}, not {issuer!r}")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(meta.get(key), str):
                raise OidcError(f"discovery document has no {key}")
        _discovered[issuer] = meta
    return _discovered[issuer]


def redirect_uri(svc: Services) -> str:
    return svc.settings.base_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True)
class OidcStart:
    url: str  # where to send the browser
    sealed: str  # the cookie value to set until the callback


def begin(svc: Services, next_path: str) -> OidcStart:
    """The authorisation request: a URL at the provider and the sealed pending state."""
    s = svc.settings
    assert s.oidc_issuer and s.oidc_client_id
    meta = discover(s.oidc_issuer)
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": next_path,
        "at": int(time.time()),
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": s.oidc_client_id,
            "redirect_uri": redirect_uri(svc),
            "scope": "openid email profile",
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": create_s256_code_challenge(str(pending["verifier"])),
            "code_challenge_method": "S256",
        }
    )
    endpoint = str(meta["authorization_endpoint"])
    separator = "&" if "?" in endpoint else "?"
    return OidcStart(endpoint + separator + query, seal(svc, pending))


def complete(svc: Services, code: str, state: str, sealed: str | None) -> tuple[str, str]:
    """Check the callback against the pending state, exchange the code and verify the ID token.
    Returns (verified email, next path)."""
    pending = unseal(svc, sealed, PENDING_SECONDS)
    if pending is None or not hmac.compare_digest(str(pending.get("state", "")), state):
        raise OidcError("state does not match (an old, replayed or forged callback)")
    s = svc.settings
    assert s.oidc_issuer and s.oidc_client_id and s.oidc_client_secret
    meta = discover(s.oidc_issuer)
    tokens = _exchange(svc, meta, code, str(pending["verifier"]))
    claims = _verified_claims(svc, meta, tokens, str(pending["nonce"]))
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise OidcError("the ID token carries no email claim")
    if claims.get("email_verified") is False:
        raise OidcError(f"the provider has not verified {email}")
    return email, str(pending.get("next") or "/")


def _exchange(svc: Services, meta: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
    s = svc.settings
    basic = f"{quote(s.oidc_client_id or '', safe='')}:{quote(s.oidc_client_secret or '', safe='')}"
    try:
        response = httpx.post(
            str(meta["token_endpoint"]),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(svc),
                "code_verifier": verifier,
            },
            headers={"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()},
            timeout=_TIMEOUT,
        )
        response.raise_for_status()
        tokens = cast(dict[str, Any], response.json())
    except (httpx.HTTPError, ValueError) as err:
        raise OidcError(f"token exchange failed: {err}") from None
    if not isinstance(tokens.get("id_token"), str):
        raise OidcError("the token response has no id_token")
    return tokens


def _verified_claims(
    svc: Services, meta: dict[str, Any], tokens: dict[str, Any], nonce: str
) -> dict[str, Any]:
    s = svc.settings
    keys = KeySet.import_key_set(cast(Any, _get_json(str(meta["jwks_uri"]))))
    try:
        token = jwt.decode(str(tokens["id_token"]), keys, algorithms=["RS256", "ES256", "PS256"])
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": s.oidc_issuer or ""},
                "aud": {"essential": True, "value": s.oidc_client_id or ""},
            },
            params={
                "nonce": nonce,
                "client_id": s.oidc_client_id,
                "access_token": tokens.get("access_token"),
            },
        )
        # Token lifetimes are the provider's wall-clock time, not the engine's business clock.
        claims.validate(now=int(time.time()), leeway=60)
    except (JoseError, ValueError) as err:
        raise OidcError(f"the ID token is not valid: {err}") from None
    return dict(claims)


def seal(svc: Services, data: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return body + "." + _mac(svc, body)


def unseal(svc: Services, value: str | None, max_age: int) -> dict[str, Any] | None:
    """The sealed data, if the seal is intact and younger than max_age seconds."""
    if not value or "." not in value or len(value) > 4000:
        return None
    body, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(svc, body)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > max_age:
        return None
    return data


def _mac(svc: Services, body: str) -> str:
    key = svc.settings.secret_key.encode("utf-8")
    return hmac.new(key, b"oidc:" + body.encode(), hashlib.sha256).hexdigest()

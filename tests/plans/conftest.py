"""The API fixtures (client, tokens, the Api helper) for the plan tests."""

from __future__ import annotations

from tests.api.conftest import (  # noqa: F401 (fixtures)
    api,
    auth,
    client,
    fresh_auth,
    fresh_client,
    token_for,
)

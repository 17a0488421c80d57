"""Each principal has its own request budget (GATEWAY_RATE_LIMIT): past it, 429 with
`Retry-After`; another principal is not slowed by it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.integration.gateway.conftest import as_key, new_key


@pytest.fixture
async def limited(namespace: Namespace, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Suite]:
    monkeypatch.setenv("GATEWAY_RATE_LIMIT", "5/minute")
    async with suite_of(namespace, ("gateway",)) as suite:
        yield suite


async def test_a_principal_past_its_limit_gets_429_with_retry_after(limited: Suite) -> None:
    _, key = await new_key(limited, "admin")
    async with as_key(limited, key) as client:
        answers = [(await client.get("/v1/roles")).status_code for _ in range(6)]
        assert answers == [200] * 5 + [429]
        refused = await client.get("/v1/roles")
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # The bootstrap key made one request (the key): it still has room.
    assert (await limited.gateway.get("/v1/roles")).status_code == 200
    # Liveness is not counted against anyone.
    for _ in range(10):
        assert (await limited.gateway.get("/health/live")).status_code == 200

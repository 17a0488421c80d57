"""The gateway on its own (with its database and the broker), set up to accept the tokens of a
stand-in identity provider besides API keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.support.tokens import IdentityProvider


@pytest.fixture
def idp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> IdentityProvider:
    provider = IdentityProvider.create(tmp_path)
    for key, value in provider.env().items():
        monkeypatch.setenv(key, value)
    return provider


@pytest.fixture
async def gateway_suite(namespace: Namespace, idp: IdentityProvider) -> AsyncIterator[Suite]:
    async with suite_of(namespace, ("gateway",)) as running:
        yield running


@pytest.fixture
async def anonymous(gateway_suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    app = gateway_suite.apps["gateway"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client


@pytest.fixture
async def customer_suite(namespace: Namespace, idp: IdentityProvider) -> AsyncIterator[Suite]:
    """The customer service behind the gateway."""
    async with suite_of(namespace, ("customer", "gateway")) as running:
        yield running


def as_key(suite: Suite, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=suite.apps["gateway"]),
        base_url="http://gateway",
        headers={"X-API-Key": key},
    )


def as_person(suite: Suite, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=suite.apps["gateway"]),
        base_url="http://gateway",
        headers={"Authorization": f"Bearer {token}"},
    )


async def new_key(suite: Suite, *roles: str, shop: str | None = None) -> tuple[str, str]:
    """A key with `roles`, made by the admin: (its id, the key)."""
    made = await suite.gateway.post(
        "/v1/api-keys", json={"name": f"{'+'.join(roles)} key", "roles": roles, "shop": shop}
    )
    assert made.status_code == 201, made.text
    return made.json()["id"], made.json()["key"]

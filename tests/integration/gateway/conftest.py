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

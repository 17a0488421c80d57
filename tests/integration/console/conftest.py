"""The suite in this process; the console is asked like a browser asks it (cookies kept)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import Namespace, Suite, suite_of


@pytest.fixture
async def console_suite(namespace: Namespace) -> AsyncIterator[Suite]:
    async with suite_of(namespace, ("customer", "consent", "tasks", "gateway")) as running:
        yield running


@pytest.fixture
async def browser(console_suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    app = console_suite.apps["gateway"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client

"""Readiness tells the truth: a service whose database is frozen answers 503 on /health/ready,
and 200 again once the database answers."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import DATABASE_SERVICES, SERVICES, suite_of
from tests.support.infrastructure import Infrastructure
from tests.support.own_database import own_database


async def ready(app: FastAPI) -> tuple[int, dict[str, object]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get("/health/ready", timeout=10)
    return response.status_code, response.json()


async def statuses(apps: dict[str, FastAPI]) -> dict[str, int]:
    answers = await asyncio.gather(*(ready(app) for app in apps.values()))
    return {name: status for name, (status, _) in zip(apps, answers, strict=True)}


async def test_every_service_with_a_database_is_not_ready_while_it_is_frozen(
    infra: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        own_database(infra, monkeypatch) as database,
        suite_of(database.namespace, SERVICES) as suite,
    ):
        assert set(await statuses(suite.apps)) == set(SERVICES)
        assert set((await statuses(suite.apps)).values()) == {200}
        with database.frozen():
            started = time.monotonic()
            frozen = await statuses(suite.apps)
            took = time.monotonic() - started
            _, body = await ready(suite.apps["customer"])
        print(f"while frozen: {frozen} (answered in {took:.1f} s)")
        # The database's readiness check gives up after 2 s: the answer comes, and says so.
        assert took < 8
        assert {name: frozen[name] for name in DATABASE_SERVICES} == dict.fromkeys(
            DATABASE_SERVICES, 503
        )
        assert "failing" in str(body["checks"]["database"])  # type: ignore[index]

        async def all_ready_again() -> bool:
            return set((await statuses(suite.apps)).values()) == {200}

        deadline = time.monotonic() + 30
        while not await all_ready_again():
            assert time.monotonic() < deadline, "not ready again 30 s after the database thawed"
            await asyncio.sleep(0.5)

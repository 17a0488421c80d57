"""Fixtures shared by all tests: real infrastructure, a fresh namespace per test, services."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from shared.contracts.envelope import Actor, ActorType
from shared.mongo import Document
from shared.topology import Topology
from tests.support.access import ADMIN_HEADERS, BOOTSTRAP_KEY
from tests.support.broker import delete_namespace, unique_namespace
from tests.support.databases import DropStalled, drop_databases
from tests.support.infrastructure import Infrastructure, infrastructure
from tests.support.orders import INTEGRATION, INTEGRATION_HEADERS

SERVICES = ("customer", "consent", "tasks", "ingest", "gateway")
# Services that own a MongoDB database (ingest: only its import jobs; the gateway: access data).
DATABASE_SERVICES = ("customer", "consent", "tasks", "ingest", "gateway")
TEST_ACTOR = Actor(type=ActorType.API, id="tests")
# Short, so retry tests need not wait long; every service of a namespace uses the same value.
TEST_RETRY_DELAY_MS = 300


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    with infrastructure() as found:
        print(f"\ninfrastructure: {found.source}")
        yield found


@dataclass(frozen=True)
class Namespace:
    """One test's own slice of the broker and the database server."""

    name: str
    infra: Infrastructure

    @property
    def topology(self) -> Topology:
        return Topology(self.name, TEST_RETRY_DELAY_MS)

    def database(self, service: str) -> str:
        return f"{self.name}_{service}"

    def env(self) -> dict[str, str]:
        env = {
            "SUITE_ENVIRONMENT": "test",
            "AMQP_URL": self.infra.amqp_url,
            "MONGODB_URL": self.infra.mongodb_url,
            "BROKER_NAMESPACE": self.name,
            "BROKER_RETRY_DELAY_MS": str(TEST_RETRY_DELAY_MS),
            "LOG_LEVEL": "INFO",
            "INGEST_INTEGRATIONS": json.dumps([INTEGRATION]),
            "GATEWAY_BOOTSTRAP_API_KEY": BOOTSTRAP_KEY,
        }
        for service in DATABASE_SERVICES:
            env[f"{service.upper()}_DATABASE"] = self.database(service)
        return env


@pytest.fixture
async def namespace(
    infra: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Namespace]:
    ns = Namespace(unique_namespace(), infra)
    for key, value in ns.env().items():
        monkeypatch.setenv(key, value)
    yield ns
    await delete_namespace(infra.amqp_url, ns.topology)
    await drop_databases(infra.mongodb_url, (ns.database(service) for service in DATABASE_SERVICES))


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """A wedged database server stops the session at once, saying so, rather than letting every
    later test hang until its timeout."""
    if call.excinfo is not None and call.excinfo.errisinstance(DropStalled):
        item.session.shouldstop = str(call.excinfo.value)


@pytest.fixture
async def mongo(infra: Infrastructure) -> AsyncIterator[AsyncMongoClient[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongodb_url, tz_aware=True)
    yield client
    await client.close()


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


@dataclass
class Suite:
    """All five services running in this process against the real broker and database."""

    namespace: Namespace
    apps: dict[str, FastAPI]
    ingest: httpx.AsyncClient
    gateway: httpx.AsyncClient

    def db(self, mongo: AsyncMongoClient[Document], service: str) -> Any:
        return mongo[self.namespace.database(service)]


def create_app(service: str) -> FastAPI:
    module = __import__(f"services.{service}.main", fromlist=["create_app"])
    app: FastAPI = module.create_app()
    return app


@contextlib.asynccontextmanager
async def suite_of(
    namespace: Namespace, services: tuple[str, ...] = SERVICES
) -> AsyncIterator[Suite]:
    apps = {name: create_app(name) for name in services}
    async with contextlib.AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(running(app))
        clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=apps[name]),
                    base_url=f"http://{name}",
                    # Ingest's canonical orders come from the tests' integration; the gateway
                    # is called as an admin.
                    headers=INTEGRATION_HEADERS if name == "ingest" else ADMIN_HEADERS,
                )
            )
            for name in ("ingest", "gateway")
            if name in apps
        }
        yield Suite(namespace, apps, clients.get("ingest"), clients.get("gateway"))  # type: ignore[arg-type]


@pytest.fixture
async def suite(namespace: Namespace) -> AsyncIterator[Suite]:
    async with suite_of(namespace) as running_suite:
        yield running_suite

"""The pullers against local channel servers, with ingest and the customer service running for
real: pulled orders become customers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from shared.contracts.envelope import Command, Query
from shared.contracts.replies import Reply
from shared.mongo import Document
from shared.rpc import RpcClient
from tests.conftest import Namespace, Suite, running, suite_of
from tests.integration.ingest.serving import served

AMAZON_KEY = "amazon-integration-key-0123456789"
EBAY_KEY = "ebay-integration-key-0123456789ab"
ADOBE_KEY = "adobe-integration-key-0123456789a"
INGEST_INTEGRATIONS = [
    {
        "channel": "amazon",
        "shop": "A1PA6795UKMFR9",
        "api_key": AMAZON_KEY,
        "marketplaces": ["A1PA6795UKMFR9"],
    },
    {"channel": "ebay", "shop": "vintage_finds_uk", "api_key": EBAY_KEY},
    {"channel": "adobe_commerce", "shop": "shop.example.ch", "api_key": ADOBE_KEY},
]


@pytest.fixture
async def world(namespace: Namespace, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Suite]:
    """Ingest (served over HTTP) and the customer service; the pullers' own database."""
    monkeypatch.setenv("INGEST_INTEGRATIONS", json.dumps(INGEST_INTEGRATIONS))
    monkeypatch.setenv("PULLERS_DATABASE", namespace.database("pullers"))
    monkeypatch.setenv("PULLERS_BACKOFF_S", "0.05")
    async with suite_of(namespace, ("customer", "ingest")) as running_suite:
        yield running_suite
    client: AsyncMongoClient[Document] = AsyncMongoClient(namespace.infra.mongodb_url)
    await client.drop_database(namespace.database("pullers"))
    await client.close()


@pytest.fixture
async def ingest_url(world: Suite) -> AsyncIterator[str]:
    """Ingest over real HTTP, as the pullers reach it."""
    async with served(world.apps["ingest"]) as url:
        yield url


@contextlib.asynccontextmanager
async def pullers(
    ingest_url: str, monkeypatch: pytest.MonkeyPatch, *integrations: dict[str, Any]
) -> AsyncIterator[FastAPI]:
    """The pullers (one replica), handing orders to ingest at `ingest_url`."""
    from services.pullers.main import create_app

    monkeypatch.setenv("PULLERS_INGEST_URL", ingest_url)
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps(list(integrations)))
    async with running(create_app()) as app:
        yield app


class Asking:
    def __init__(self, rpc: RpcClient) -> None:
        self.rpc = rpc

    async def __call__(self, query: Query | Command) -> Any:
        reply: Reply = await self.rpc.request("pullers", query)
        assert reply.ok, reply.problem
        return reply.result


@pytest.fixture
async def ask(namespace: Namespace) -> AsyncIterator[Asking]:
    """Request/reply to the pullers, as the gateway asks."""
    broker = RabbitBroker(namespace.infra.amqp_url)
    rpc = RpcClient(broker, namespace.topology, timeout_s=20)
    await broker.start()
    try:
        yield Asking(rpc)
    finally:
        await broker.stop()


async def customer_with_email(
    mongo: AsyncMongoClient[Document], suite: Suite, email: str
) -> Document | None:
    found: Document | None = await suite.db(mongo, "customer")["customers"].find_one(
        {"emails.address": email}
    )
    return found

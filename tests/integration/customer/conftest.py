"""Customer tests against the real broker and database: the customer service and the gateway
run in-process; orders and other services' events are published the way their producers do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from pymongo import AsyncMongoClient

from shared.broker import publish
from shared.contracts.envelope import Message
from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.support.broker import Tap, tap
from tests.support.orders import upsert


@pytest.fixture
async def customer_suite(namespace: Namespace) -> AsyncIterator[Suite]:
    async with suite_of(namespace, ("customer", "gateway")) as running:
        yield running


class Producer:
    """Publishes commands and events to the suite's exchanges, confirmed by RabbitMQ."""

    def __init__(self, broker: RabbitBroker, namespace: Namespace) -> None:
        self.broker = broker
        self.namespace = namespace

    async def send(self, message: Message) -> None:
        await publish(self.broker, self.namespace.topology, message)

    async def order(self, **kwargs: Any) -> Message:
        """Publish an order's upsert command (see tests.support.orders for the arguments)."""
        command = upsert(**kwargs)
        await self.send(command)
        return command


@pytest.fixture
async def producer(namespace: Namespace) -> AsyncIterator[Producer]:
    broker = RabbitBroker(
        namespace.infra.amqp_url,
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
    )
    await broker.connect()
    try:
        yield Producer(broker, namespace)
    finally:
        await broker.stop()


@pytest.fixture
async def events(namespace: Namespace, customer_suite: Suite) -> AsyncIterator[Tap]:
    """Everything published to the events exchange from now on."""
    async with tap(namespace.infra.amqp_url, namespace.topology.events.name) as recorded:
        yield recorded


@pytest.fixture
async def commands(namespace: Namespace, customer_suite: Suite) -> AsyncIterator[Tap]:
    """Commands the customer service sends to others (e.g. consent), from now on."""
    async with tap(
        namespace.infra.amqp_url, namespace.topology.commands.name, "consent.#"
    ) as recorded:
        yield recorded


@pytest.fixture
def db(customer_suite: Suite, mongo: AsyncMongoClient[Document]) -> Any:
    """The customer service's database."""
    return customer_suite.db(mongo, "customer")


@pytest.fixture
def api(customer_suite: Suite) -> httpx.AsyncClient:
    return customer_suite.gateway


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def fields_of(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def count_is(collection: Any, expected: int, query: dict[str, Any] | None = None) -> Any:
    """A probe for `eventually`: true once the collection holds `expected` matching documents."""

    async def probe() -> bool:
        return bool(await collection.count_documents(query or {}) == expected)

    return probe

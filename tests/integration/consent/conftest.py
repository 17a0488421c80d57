"""Consent tests against the real broker and database: the consent service and the gateway run
in-process; customer events are published the way the customer service publishes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from pymongo import AsyncMongoClient

from shared.broker import publish
from shared.contracts.customers import CustomerCreated, CustomerRef
from shared.contracts.envelope import SYSTEM_ACTOR, Message
from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.support.broker import Tap, tap
from tests.support.waiting import eventually


@pytest.fixture
async def consent_suite(namespace: Namespace) -> AsyncIterator[Suite]:
    async with suite_of(namespace, ("consent", "gateway")) as running:
        yield running


class CustomerService:
    """Plays the customer service: publishes its events and commands, confirmed by RabbitMQ."""

    def __init__(self, broker: RabbitBroker, namespace: Namespace) -> None:
        self.broker = broker
        self.namespace = namespace

    async def send(self, message: Message) -> None:
        await publish(self.broker, self.namespace.topology, message)

    async def create(
        self, customer_id: str, email: str | None = None, *, number: int = 10001
    ) -> CustomerRef:
        ref = CustomerRef(
            customer_id=customer_id,
            customer_number=number,
            version=1,
            status="active",
            display_name=customer_id.title(),
            primary_email=email or f"{customer_id}@example.com",
        )
        await self.send(CustomerCreated(customer=ref, actor=SYSTEM_ACTOR))
        return ref


@pytest.fixture
async def customers(namespace: Namespace) -> AsyncIterator[CustomerService]:
    broker = RabbitBroker(
        namespace.infra.amqp_url,
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
    )
    await broker.connect()
    try:
        yield CustomerService(broker, namespace)
    finally:
        await broker.stop()


@pytest.fixture
async def events(namespace: Namespace, consent_suite: Suite) -> AsyncIterator[Tap]:
    """What the consent service publishes (its queues exist once the suite started)."""
    async with tap(namespace.infra.amqp_url, namespace.topology.events.name, "consent.#") as t:
        yield t


async def known_to_consent(
    suite: Suite, mongo: AsyncMongoClient[Document], customer_id: str
) -> dict[str, Any]:
    """Wait until the consent service's directory has the customer."""
    directory = suite.db(mongo, "consent")["customers"]

    async def found() -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await directory.find_one({"_id": customer_id})
        return doc

    known: dict[str, Any] = await eventually(found, what=f"consent to know {customer_id}")
    return known

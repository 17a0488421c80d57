"""The consent service's message handlers, driven through FastStream's in-memory TestRabbitBroker.

The broker is simulated (a handler's exception reaches the publisher, nothing is retried or
parked: see tests/integration/consent for that); the database is real. Every consumer must be
idempotent: each message type is delivered twice here and must change things once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker, RabbitQueue, TestRabbitBroker

from services.consent.entrypoints.inbox import inbox_dispatcher, inbox_router
from services.consent.entrypoints.requests import request_dispatcher
from services.consent.main import ConsentService, assemble
from services.consent.settings import ConsentSettings
from shared.contracts.customers import (
    CustomerCreated,
    CustomerErased,
    CustomerRef,
    CustomersMerged,
)
from shared.contracts.envelope import Message
from shared.dispatch import InvalidMessage, PermanentFailure
from shared.mongo import make_client
from shared.redelivery import TransientFailure
from shared.rpc import answer
from tests.conftest import TEST_ACTOR, Namespace
from tests.integration.consent.messages import record_consent


@dataclass
class Harness:
    broker: RabbitBroker
    service: ConsentService
    published: list[dict[str, Any]]
    namespace: Namespace
    db: Any

    async def deliver(self, message: Message | dict[str, Any]) -> None:
        body = message.model_dump(mode="json") if isinstance(message, Message) else message
        await self.broker.publish(body, queue=self.namespace.topology.consent.name)

    async def ledger(self, customer_id: str) -> list[dict[str, Any]]:
        cursor = self.db["ledger"].find({"customer_id": customer_id}).sort("seq")
        return [doc async for doc in cursor]

    async def states(self, customer_id: str) -> list[dict[str, Any]]:
        return [doc async for doc in self.db["consents"].find({"customer_id": customer_id})]

    def changes(self) -> list[dict[str, Any]]:
        return [b for b in self.published if b["type"] == "consent.changed.v1"]


def ref(customer_id: str, version: int = 1, status: str = "active") -> CustomerRef:
    return CustomerRef(
        customer_id=customer_id,
        customer_number=10001,
        version=version,
        status=status,
        primary_email=f"{customer_id}@example.com",
    )


@pytest.fixture
async def harness(namespace: Namespace) -> AsyncIterator[Harness]:
    settings = ConsentSettings()
    client = make_client(settings.mongodb_url.get_secret_value(), app_name="handler-tests")
    broker = RabbitBroker()
    topology = namespace.topology
    service = assemble(client, settings, broker, topology)
    broker.include_router(inbox_router(topology, inbox_dispatcher(service.cases)))
    published: list[dict[str, Any]] = []

    @broker.subscriber(RabbitQueue("published", routing_key="consent.#"), topology.events)
    async def collect(body: dict[str, Any]) -> None:
        published.append(body)

    for hook in service.start_up:
        await hook()
    try:
        async with TestRabbitBroker(broker) as test_broker:
            yield Harness(test_broker, service, published, namespace, client[settings.database])
    finally:
        await client.close()


async def test_a_decision_delivered_twice_is_recorded_and_published_once(
    harness: Harness,
) -> None:
    await harness.deliver(CustomerCreated(customer=ref("c1"), actor=TEST_ACTOR))
    command = record_consent("c1", "single_opt_in")
    await harness.deliver(command)
    await harness.deliver(command)
    [entry] = await harness.ledger("c1")
    assert entry["_id"] == command.message_id
    assert entry["email"] == "c1@example.com"
    [changed] = harness.changes()
    assert changed["causation_id"] == command.message_id


async def test_a_merge_delivered_twice_is_applied_once(harness: Harness) -> None:
    for customer_id in ("m", "a"):
        await harness.deliver(CustomerCreated(customer=ref(customer_id), actor=TEST_ACTOR))
    await harness.deliver(record_consent("a", "withdrawn", "supporter"))
    merge = CustomersMerged(master=ref("m", version=2), absorbed_ids=("a",), actor=TEST_ACTOR)
    await harness.deliver(merge)
    await harness.deliver(merge)
    [carried] = await harness.ledger("m")
    assert (carried["decision"], carried["evidence"]["source"]) == ("withdrawn", "merge")
    assert [c["customer_id"] for c in harness.changes()] == ["a", "m"]
    # The absorbed record has no consents of its own any more.
    assert await harness.states("a") == []


async def test_an_erasure_delivered_twice_pseudonymises_once(harness: Harness) -> None:
    await harness.deliver(CustomerCreated(customer=ref("e"), actor=TEST_ACTOR))
    await harness.deliver(record_consent("e", "single_opt_in", ip_address="192.0.2.1"))
    erased = CustomerErased(customer=ref("e", version=2, status="erased"), actor=TEST_ACTOR)
    await harness.deliver(erased)
    [first] = await harness.ledger("e")
    await harness.deliver(erased)
    [second] = await harness.ledger("e")
    assert first["pseudonymised_at"] is not None
    assert second == first
    assert first["evidence"]["ip_address"] is None


async def test_refusals_say_whether_trying_again_can_help(harness: Harness) -> None:
    # Unknown: its CustomerCreated may still be on the way (retried, then parked).
    with pytest.raises(TransientFailure, match="not known"):
        await harness.deliver(record_consent("later", "single_opt_in"))
    # Erased: never again.
    await harness.deliver(CustomerErased(customer=ref("gone", status="erased"), actor=TEST_ACTOR))
    with pytest.raises(PermanentFailure, match="erased"):
        await harness.deliver(record_consent("gone", "withdrawn"))
    # Malformed or meaningless: parked at once, naming the field.
    await harness.deliver(CustomerCreated(customer=ref("ok"), actor=TEST_ACTOR))
    with pytest.raises(InvalidMessage, match=r"evidence\.decided_at: lies in the future"):
        await harness.deliver(record_consent("ok", "single_opt_in", minute=10_000_000))
    malformed = record_consent("ok", "single_opt_in").model_dump(mode="json")
    malformed["state"] = "maybe_later"
    with pytest.raises(InvalidMessage, match=r"consent\.record\.v1 does not fit.*state"):
        await harness.deliver(malformed)
    assert await harness.ledger("ok") == []


async def test_customer_events_it_does_not_handle_are_skipped(harness: Harness) -> None:
    await harness.deliver({"type": "customer.note_added.v1", "whatever": 1})
    assert harness.published == []


async def test_a_request_answered_twice_gives_the_same_entry(harness: Harness) -> None:
    await harness.deliver(CustomerCreated(customer=ref("r"), actor=TEST_ACTOR))
    requests = request_dispatcher(harness.service.cases)
    body = record_consent("r", "single_opt_in", "supporter").model_dump(mode="json")
    first = await answer(requests, body)
    second = await answer(requests, body)
    assert first["problem"] is None
    assert first == second
    assert len(await harness.ledger("r")) == 1
    invalid = await answer(requests, {"type": "consent.get.v1"})
    assert invalid["problem"]["status"] == 400
    assert {e["field"] for e in invalid["problem"]["errors"]} == {"customer_id", "actor"}

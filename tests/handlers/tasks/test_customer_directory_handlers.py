"""The tasks service's inbox, driven through FastStream's in-memory TestRabbitBroker.

The broker is simulated; the database is real (a directory that works only against a fake
would prove little). The in-memory broker knows nothing of the bindings `shared.topology`
declares, so messages are delivered straight to the work queue. Retry and parking need the real
broker: see tests/integration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from pymongo import AsyncMongoClient

from services.tasks.entrypoints.inbox import inbox_dispatcher, inbox_router
from services.tasks.main import assemble
from services.tasks.settings import TasksSettings
from shared.contracts.customers import CustomerCreated, CustomerRef, CustomerUpdated, FieldChange
from shared.contracts.envelope import Message
from shared.customer_directory import CustomerDirectory
from shared.dispatch import InvalidMessage
from shared.mongo import Document
from shared.topology import Topology
from tests.conftest import TEST_ACTOR
from tests.support.infrastructure import Infrastructure

DATABASE = "handlers_tasks"

TOPOLOGY = Topology("handlers")


def ref(version: int, name: str) -> CustomerRef:
    return CustomerRef(
        customer_id="c1",
        customer_number=10001,
        version=version,
        status="active",
        display_name=name,
        primary_email="ada@example.com",
    )


async def deliver(broker: RabbitBroker, message: Message | dict[str, object]) -> None:
    body = message.model_dump(mode="json") if isinstance(message, Message) else message
    await broker.publish(body, queue=TOPOLOGY.tasks.name)


@pytest.fixture
async def directory(mongo: AsyncMongoClient[Document]) -> AsyncIterator[CustomerDirectory]:
    await mongo.drop_database(DATABASE)
    yield CustomerDirectory(mongo[DATABASE]["customers"])
    await mongo.drop_database(DATABASE)


@pytest.fixture
async def broker(
    infra: Infrastructure, mongo: AsyncMongoClient[Document], directory: CustomerDirectory
) -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker()
    settings = TasksSettings(MONGODB_URL=infra.mongodb_url, database=DATABASE)
    service = assemble(mongo, settings, broker, TOPOLOGY)
    broker.include_router(
        inbox_router(TOPOLOGY, inbox_dispatcher(service.lives, service.notifications))
    )
    async with TestRabbitBroker(broker) as test_broker:
        yield test_broker


async def test_a_newer_version_replaces_an_older_one(
    broker: RabbitBroker, directory: CustomerDirectory
) -> None:
    await deliver(broker, CustomerCreated(customer=ref(1, "Ada"), actor=TEST_ACTOR))
    change = FieldChange(field="last_name", before=None, after="Lovelace")
    await deliver(
        broker,
        CustomerUpdated(customer=ref(2, "Ada Lovelace"), changes=(change,), actor=TEST_ACTOR),
    )
    known = await directory.get("c1")
    assert known is not None
    assert (known.version, known.display_name) == (2, "Ada Lovelace")


async def test_an_older_event_arriving_late_changes_nothing(
    broker: RabbitBroker, directory: CustomerDirectory
) -> None:
    change = FieldChange(field="last_name", before=None, after="Lovelace")
    await deliver(
        broker,
        CustomerUpdated(customer=ref(2, "Ada Lovelace"), changes=(change,), actor=TEST_ACTOR),
    )
    await deliver(broker, CustomerCreated(customer=ref(1, "Ada"), actor=TEST_ACTOR))
    known = await directory.get("c1")
    assert known is not None
    assert (known.version, known.display_name) == (2, "Ada Lovelace")


async def test_the_same_event_twice_is_stored_once(
    broker: RabbitBroker, directory: CustomerDirectory
) -> None:
    event = CustomerCreated(customer=ref(1, "Ada"), actor=TEST_ACTOR)
    await deliver(broker, event)
    assert await directory.apply(event.customer) is False


async def test_customer_events_it_does_not_handle_are_skipped(
    broker: RabbitBroker, directory: CustomerDirectory
) -> None:
    await deliver(broker, {"type": "customer.note_added.v1"})
    assert await directory.get("c1") is None


async def test_a_malformed_event_is_refused(broker: RabbitBroker) -> None:
    # In memory the handler's exception reaches the publisher; the real broker would park it.
    with pytest.raises(InvalidMessage, match=r"customer\.version"):
        await deliver(broker, {"type": "customer.created.v1", "customer": {"version": 0}})

"""Failed messages are retried later or parked with their reason; parked ones can be replayed.

A consumer with the suite's redelivery middleware runs on the real broker, on the tasks work
queue of a fresh namespace (the tasks service itself is not started).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from faststream.rabbit import RabbitBroker, RabbitMessage, RabbitRouter

from services.tasks.settings import TasksSettings
from shared.broker import make_broker, publish
from shared.contracts.customers import CustomerCreated, CustomerRef
from shared.redelivery import ATTEMPT_HEADER, REASON_HEADER, Redelivery, TransientFailure
from shared.topology import MAX_ATTEMPTS, declare
from tests.conftest import TEST_ACTOR, Namespace
from tests.support.broker import drain, queue_depth
from tests.support.waiting import eventually
from tools.dead_letters import list_parked, replay

Behaviour = Callable[[int], None]


def created(customer_id: str = "c1") -> CustomerCreated:
    ref = CustomerRef(customer_id=customer_id, customer_number=10001, version=1, status="active")
    return CustomerCreated(customer=ref, actor=TEST_ACTOR)


@contextlib.asynccontextmanager
async def consumer(
    namespace: Namespace, behaviour: Behaviour
) -> AsyncIterator[tuple[RabbitBroker, list[int]]]:
    """A broker whose tasks-queue handler calls `behaviour(attempt)`; yields the attempts seen."""
    broker = make_broker(TasksSettings(), service="test", tracer_provider=None)
    topology = namespace.topology
    attempts: list[int] = []
    router = RabbitRouter()

    @router.subscriber(topology.tasks.subscription())
    async def handle(body: Any, message: RabbitMessage) -> None:
        attempt = int(message.headers.get(ATTEMPT_HEADER, 1))
        attempts.append(attempt)
        behaviour(attempt)

    broker.include_router(router, middlewares=[Redelivery(broker, topology.tasks)])
    await broker.connect()
    await declare(broker, topology)
    await broker.start()
    try:
        yield broker, attempts
    finally:
        await broker.stop()


async def test_a_passing_failure_is_retried_after_a_delay(namespace: Namespace) -> None:
    def fail_twice(attempt: int) -> None:
        if attempt < 3:
            raise TransientFailure("database restarting")

    async with consumer(namespace, fail_twice) as (broker, attempts):
        await publish(broker, namespace.topology, created())
        await eventually(lambda: attempts == [1, 2, 3], what="three attempts")
    assert (
        await queue_depth(namespace.infra.amqp_url, namespace.topology.tasks.dead_letter_name) == 0
    )


async def test_a_failure_that_does_not_pass_is_parked_after_the_last_attempt(
    namespace: Namespace,
) -> None:
    def always(attempt: int) -> None:
        raise TransientFailure("still down")

    queue = namespace.topology.tasks
    async with consumer(namespace, always) as (broker, attempts):
        await publish(broker, namespace.topology, created())
        await eventually(
            lambda: queue_depth(namespace.infra.amqp_url, queue.dead_letter_name),
            what="the message to be parked",
        )
    assert attempts == list(range(1, MAX_ATTEMPTS + 1))
    [parked] = await list_parked(namespace.infra.amqp_url, queue, limit=10)
    assert parked.reason == "TransientFailure: still down"
    assert parked.message_type == "customer.created.v1"
    assert parked.headers["x-original-routing-key"] == "customer.created.v1"


async def test_a_bug_is_parked_at_once_and_replayed_once_fixed(namespace: Namespace) -> None:
    fixed = False

    def buggy(attempt: int) -> None:
        if not fixed:
            raise KeyError("customer_number")

    queue = namespace.topology.tasks
    event = created("c-bug")
    async with consumer(namespace, buggy) as (broker, attempts):
        await publish(broker, namespace.topology, event)
        await eventually(
            lambda: queue_depth(namespace.infra.amqp_url, queue.dead_letter_name),
            what="the message to be parked",
        )
        assert attempts == [1]
        # Listing does not take the message away.
        [parked] = await list_parked(namespace.infra.amqp_url, queue, limit=10)
        assert parked.reason == "KeyError: 'customer_number'"
        assert parked.message_id == event.message_id
        assert await queue_depth(namespace.infra.amqp_url, queue.dead_letter_name) == 1

        fixed = True
        assert await replay(namespace.infra.amqp_url, queue, limit=10) == 1
        await eventually(lambda: len(attempts) == 2, what="the replayed message")
    assert await queue_depth(namespace.infra.amqp_url, queue.dead_letter_name) == 0


async def test_a_message_that_fits_no_contract_is_parked_by_the_service(suite: Any) -> None:
    """The real customer service parks a malformed command and names the bad field."""
    topology = suite.namespace.topology
    broker = make_broker(TasksSettings(), service="test", tracer_provider=None)
    await broker.connect()
    try:
        await broker.publish(
            {"type": "customer.upsert_from_order.v1", "message_id": "bad-1", "order": {}},
            exchange=topology.commands,
            routing_key="customer.upsert_from_order.v1",
            persist=True,
            message_id="bad-1",
        )
    finally:
        await broker.stop()
    dlq = topology.customer.dead_letter_name
    await eventually(lambda: queue_depth(suite.namespace.infra.amqp_url, dlq), what="parking")
    [message] = await drain(suite.namespace.infra.amqp_url, dlq)
    reason = (message.headers or {})[REASON_HEADER]
    assert isinstance(reason, str)
    assert reason.startswith(
        "InvalidMessage: customer.upsert_from_order.v1 does not fit its contract"
    )
    assert "actor: Field required" in reason
    assert "order.channel: Field required" in reason

"""The tasks service in-process against the real broker and database, asked over request/reply
the way the gateway will ask it; customer events are published the way the customer service
publishes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.tasks.settings import TasksSettings
from shared.broker import make_broker, publish
from shared.contracts.customers import CustomerCreated, CustomerRef, CustomerStatus
from shared.contracts.envelope import SYSTEM_ACTOR, Actor, ActorType, Command, Event, Query
from shared.contracts.replies import Problem
from shared.mongo import Document
from shared.rpc import RpcClient
from tests.conftest import Namespace, Suite, suite_of
from tests.support.waiting import eventually

ANNA = Actor(type=ActorType.SUPPORTER, id="anna")
# Alarms are polled often in tests, so that "within a few seconds" is quick to see.
POLL_S = "0.2"


@pytest.fixture
async def tasks_suite(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Suite]:
    monkeypatch.setenv("TASKS_ALARM_POLL_S", POLL_S)
    async with suite_of(namespace, ("tasks",)) as running:
        yield running


@dataclass
class TasksClient:
    """Asks the tasks service and plays the customer service."""

    rpc: RpcClient
    broker: Any
    namespace: Namespace
    db: Any

    async def ask(self, message: Query | Command) -> Any:
        reply = await self.rpc.request("tasks", message)
        assert reply.problem is None, reply.problem
        return reply.result

    async def refused(self, message: Query | Command) -> Problem:
        reply = await self.rpc.request("tasks", message)
        assert reply.problem is not None, reply.result
        return reply.problem

    async def publish(self, event: Event) -> None:
        await publish(self.broker, self.namespace.topology, event)

    async def customer(self, customer_id: str, *, version: int = 1) -> CustomerRef:
        """A customer the tasks service knows (its directory has them)."""
        ref = CustomerRef(
            customer_id=customer_id,
            customer_number=10001,
            version=version,
            status=CustomerStatus.ACTIVE,
        )
        await self.publish(CustomerCreated(customer=ref, actor=SYSTEM_ACTOR))

        async def known() -> bool:
            return await self.db["customers"].find_one({"_id": customer_id}) is not None

        await eventually(known, what=f"the tasks service to know {customer_id}")
        return ref


@pytest.fixture
async def tasks(
    namespace: Namespace, tasks_suite: Suite, mongo: AsyncMongoClient[Document]
) -> AsyncIterator[TasksClient]:
    broker = make_broker(TasksSettings(), service="test", tracer_provider=None)
    rpc = RpcClient(broker, namespace.topology, timeout_s=10)
    await broker.start()
    try:
        yield TasksClient(rpc, broker, namespace, tasks_suite.db(mongo, "tasks"))
    finally:
        await broker.stop()

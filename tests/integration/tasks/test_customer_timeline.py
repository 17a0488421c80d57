"""Tasks about a customer appear in the customer's timeline (created, status changed,
reassigned, completed), once each, however often an event is delivered."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.tasks.settings import TasksSettings
from shared.broker import make_broker, publish
from shared.contracts.tasks import (
    ChangeTaskStatus,
    CreateTask,
    ReassignTask,
    TaskDraft,
    TaskStatus,
)
from shared.mongo import Document
from shared.rpc import RpcClient
from tests.conftest import Namespace, suite_of
from tests.integration.tasks.conftest import ANNA
from tests.support.broker import tap
from tests.support.orders import upsert
from tests.support.waiting import eventually

TASK_KINDS = ("task_created", "task_reassigned", "task_status_changed", "task_completed")


async def test_a_customers_task_joins_their_timeline_once_per_event(
    namespace: Namespace, mongo: AsyncMongoClient[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKS_ALARM_POLL_S", "0.2")
    async with (
        suite_of(namespace, ("customer", "tasks")) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.events.name, "task.#") as task_events,
    ):
        broker = make_broker(TasksSettings(), service="test", tracer_provider=None)
        rpc = RpcClient(broker, namespace.topology, timeout_s=10)
        await broker.start()
        try:
            await publish(broker, namespace.topology, upsert(email="tina@example.com"))
            customers = suite.db(mongo, "customer")["customers"]
            tina = await eventually(
                lambda: customers.find_one({"emails.address": "tina@example.com"}),
                what="the customer",
            )
            tasks = suite.db(mongo, "tasks")["customers"]
            await eventually(lambda: tasks.find_one({"_id": tina["_id"]}), what="tasks to know")

            async def ask(command: Any) -> Any:
                reply = await rpc.request("tasks", command)
                assert reply.problem is None, reply.problem
                return reply.result

            draft = TaskDraft(title="Call back about the refund", customer_id=tina["_id"])
            task = await ask(CreateTask(task=draft, actor=ANNA))
            task_id = task["id"]
            await ask(ReassignTask(task_id=task_id, assignee="bert", actor=ANNA))
            await ask(ChangeTaskStatus(task_id=task_id, status=TaskStatus.IN_PROGRESS, actor=ANNA))
            await ask(ChangeTaskStatus(task_id=task_id, status=TaskStatus.COMPLETED, actor=ANNA))
            # The broker delivers an event again: the timeline keeps it once.
            [created] = await task_events.wait_for(1, "task.created.v1")
            await broker.publish(
                created,
                exchange=namespace.topology.events.name,
                routing_key="task.created.v1",
                message_id=created["message_id"],
                persist=True,
            )
        finally:
            await broker.stop()
        activities = suite.db(mongo, "customer")["activities"]

        async def task_entries() -> list[dict[str, Any]] | None:
            found = await activities.find(
                {"customer_id": tina["_id"], "kind": {"$in": list(TASK_KINDS)}}
            ).to_list()
            kinds = sorted(a["kind"] for a in found)
            return found if len(kinds) >= 4 and "task_completed" in kinds else None

        await eventually(task_entries, timeout=30, what="the task in the timeline")
        await asyncio.sleep(1.5)  # time for the repeated event to be (not) taken in
        entries = await task_entries()
        assert entries is not None
    kinds = sorted(a["kind"] for a in entries)
    assert kinds == sorted(TASK_KINDS), kinds
    created_entry = next(a for a in entries if a["kind"] == "task_created")
    assert created_entry["details"]["title"] == "Call back about the refund"
    assert created_entry["source"] == {"channel": "tasks", "task_id": task_id}
    status = next(a for a in entries if a["kind"] == "task_status_changed")
    assert status["changes"][0]["after"] == "in_progress"

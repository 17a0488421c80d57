"""Merges, erasure and disabling of customers reach their tasks through the real broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.customers import (
    CustomerDisabled,
    CustomerErased,
    CustomerRef,
    CustomersMerged,
    CustomerStatus,
)
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    CommentOnTask,
    CreateTask,
    GetCustomerTasks,
    GetTask,
    GetTaskHistory,
    TaskDraft,
)
from tests.integration.tasks.conftest import ANNA, TasksClient
from tests.support.waiting import eventually

CUSTOMER_SERVICE = Actor(type=ActorType.SYSTEM, id="customer-service")


def ref(customer_id: str, version: int, status: CustomerStatus) -> CustomerRef:
    return CustomerRef(
        customer_id=customer_id, customer_number=10001, version=version, status=status
    )


async def task_for(tasks: TasksClient, customer_id: str, title: str) -> dict[str, Any]:
    draft = TaskDraft(
        title=title,
        customer_id=customer_id,
        description=f"Notes on {title}",
        next_action="Phone her",
        due_at=datetime.now(UTC) + timedelta(days=2),
    )
    task: dict[str, Any] = await tasks.ask(CreateTask(task=draft, actor=ANNA))
    return task


async def test_a_merge_moves_the_absorbed_customers_tasks_to_the_master(
    tasks: TasksClient,
) -> None:
    for customer_id in ("master", "dup1", "dup2"):
        await tasks.customer(customer_id)
    absorbed = [await task_for(tasks, "dup1", "a"), await task_for(tasks, "dup2", "b")]
    own = await task_for(tasks, "master", "c")
    merge = CustomersMerged(
        master=ref("master", 2, CustomerStatus.ACTIVE),
        absorbed_ids=("dup1", "dup2"),
        actor=ANNA,
    )
    await tasks.publish(merge)
    await tasks.publish(merge)  # delivered twice

    async def moved() -> list[str]:
        page = await tasks.ask(GetCustomerTasks(customer_id="master", actor=ANNA))
        found = sorted(t["id"] for t in page["items"])
        return found if len(found) == 3 else []

    assert await eventually(moved, what="the tasks to follow the merge") == sorted(
        t["id"] for t in (*absorbed, own)
    )
    history = await tasks.ask(GetTaskHistory(task_id=absorbed[0]["id"], actor=ANNA))
    assert [e["action"] for e in history["items"]] == ["customer_merged", "created"]
    assert history["items"][0]["changes"] == [
        {"field": "customer_id", "before": "dup1", "after": "master"}
    ]
    # Once only, although the merge arrived twice.
    assert (await tasks.ask(GetTask(task_id=absorbed[0]["id"], actor=ANNA)))["version"] == 2
    # A task created later for an absorbed customer lands on the master.
    late = await task_for(tasks, "dup2", "late")
    assert late["customer_id"] == "master"


async def test_an_erasure_removes_the_text_and_keeps_who_did_what_and_when(
    tasks: TasksClient,
) -> None:
    await tasks.customer("anna-schmidt")
    await tasks.customer("other")
    task = await task_for(tasks, "anna-schmidt", "Call Anna Schmidt about Hauptstr. 5")
    await tasks.ask(CommentOnTask(task_id=task["id"], text="Anna moved to Munich", actor=ANNA))
    kept = await task_for(tasks, "other", "Call Bert")
    await tasks.publish(
        CustomerErased(
            customer=ref("anna-schmidt", 2, CustomerStatus.ERASED), actor=CUSTOMER_SERVICE
        )
    )

    async def erased() -> dict[str, Any] | None:
        view: dict[str, Any] = await tasks.ask(GetTask(task_id=task["id"], actor=ANNA))
        return view if view["erased_at"] else None

    view = await eventually(erased, what="the erasure to reach the task")
    assert (view["title"], view["description"], view["next_action"]) == (None, None, None)
    assert [c["text"] for c in view["comments"]] == [None]
    assert view["comments"][0]["author"]["id"] == "anna"
    history = await tasks.ask(GetTaskHistory(task_id=task["id"], actor=ANNA))
    assert [(e["action"], e["actor"]["id"]) for e in history["items"]] == [
        ("erased", "customer-service"),
        ("commented", "anna"),
        ("created", "anna"),
    ]
    stored = await tasks.db["tasks"].find_one({"_id": task["id"]})
    assert "Anna" not in repr(stored)
    # Nor do the answers kept for repeated requests hold the text.
    assert "Anna" not in repr(await tasks.db["inbox"].find().to_list())
    # Sent events that carried the text are gone from the outbox; others' stay.
    async for entry in tasks.db["outbox"].find({"sent_at": {"$ne": None}}):
        assert entry["body"].get("customer_id") != "anna-schmidt"
    assert await tasks.db["outbox"].count_documents({"body.task_id": kept["id"]}) >= 1
    assert (await tasks.ask(GetTask(task_id=kept["id"], actor=ANNA)))["title"] == "Call Bert"


async def test_a_disabled_customers_open_tasks_stay_open(tasks: TasksClient) -> None:
    await tasks.customer("c1")
    task = await task_for(tasks, "c1", "Check the refund")
    await tasks.publish(
        CustomerDisabled(customer=ref("c1", 2, CustomerStatus.DISABLED), actor=ANNA)
    )

    async def disabled() -> bool:
        known = await tasks.db["customers"].find_one({"_id": "c1"})
        return known is not None and known["status"] == "disabled"

    await eventually(disabled, what="the tasks service to hear of the disabling")
    view = await tasks.ask(GetTask(task_id=task["id"], actor=ANNA))
    assert (view["status"], view["version"]) == ("pending", 1)
    page = await tasks.ask(GetCustomerTasks(customer_id="c1", actor=ANNA))
    assert [t["id"] for t in page["items"]] == [task["id"]]

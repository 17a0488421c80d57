"""Alarms against the real broker and database: due reminders reach the assignee's
notifications within seconds, and an alarm whose holder died is taken over once its lease ran
out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    CreateTask,
    ListNotifications,
    MarkNotificationsRead,
    TaskDraft,
)
from tests.integration.tasks.conftest import ANNA, TasksClient
from tests.support.broker import tap
from tests.support.waiting import eventually

BEN = Actor(type=ActorType.SUPPORTER, id="ben")


async def test_due_reminders_become_notifications_within_seconds(tasks: TasksClient) -> None:
    topology = tasks.namespace.topology
    async with tap(tasks.namespace.infra.amqp_url, topology.events.name, "task.#") as events:
        now = datetime.now(UTC)
        draft = TaskDraft(
            title="Send the voucher",
            assignee="ben",
            due_at=now + timedelta(seconds=3),
            reminders=((now + timedelta(seconds=1)).isoformat(), "PT1S"),
        )
        task = await tasks.ask(CreateTask(task=draft, actor=ANNA))

        async def notified() -> dict[str, Any] | None:
            page: dict[str, Any] = await tasks.ask(ListNotifications(actor=BEN))
            return page if len(page["items"]) == 3 else None

        page = await eventually(notified, timeout=15, what="three notifications for ben")
        reminders = await events.wait_for(2, "task.reminder_due.v1")
        overdue = await events.wait_for(1, "task.overdue.v1")
    assert [n["kind"] for n in page["items"]] == ["overdue", "reminder", "reminder"]
    assert {n["task_id"] for n in page["items"]} == {task["id"]}
    assert page["items"][0]["title"] == "Send the voucher"
    assert page["unread"] == 3
    assert sorted(n["id"] for n in page["items"]) == sorted(
        e["message_id"] for e in [*reminders, *overdue]
    )
    # Each notification arrived within a few seconds of its time.
    for notification in await tasks.db["notifications"].find().to_list():
        late = notification["created_at"] - notification["at"]
        assert late < timedelta(seconds=5), late
    # Nobody else sees them; ben marks one read.
    assert (await tasks.ask(ListNotifications(actor=ANNA)))["items"] == []
    marked = await tasks.ask(
        MarkNotificationsRead(notification_ids=(page["items"][0]["id"],), actor=BEN)
    )
    assert marked == {"marked": 1}
    unread = await tasks.ask(ListNotifications(unread_only=True, actor=BEN))
    assert [n["id"] for n in unread["items"]] == [n["id"] for n in page["items"][1:]]


async def test_an_alarm_held_by_a_dead_instance_is_taken_over_once(tasks: TasksClient) -> None:
    now = datetime.now(UTC)
    draft = TaskDraft(title="Call back", reminders=((now + timedelta(seconds=1)).isoformat(),))
    task = await tasks.ask(CreateTask(task=draft, actor=ANNA))
    alarms = tasks.db["alarms"]
    # Another instance claimed the alarm and died: its lease runs for two more seconds.
    await alarms.update_one(
        {"task_id": task["id"]},
        {"$set": {"lease_owner": "dead-instance", "lease_until": now + timedelta(seconds=3)}},
    )
    await asyncio.sleep(2)
    held = await alarms.find_one({"task_id": task["id"]})
    assert held is not None
    assert (held["status"], held["lease_owner"]) == ("scheduled", "dead-instance")

    async def rang() -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await alarms.find_one(
            {"task_id": task["id"], "status": "rang"}
        )
        return doc

    taken_over = await eventually(rang, timeout=10, what="the alarm to be taken over")
    assert taken_over["lease_owner"] != "dead-instance"
    await eventually(
        lambda: tasks.db["notifications"].count_documents({"task_id": task["id"]}),
        what="the notification",
    )
    assert await tasks.db["outbox"].count_documents({"_id": taken_over["_id"]}) == 1

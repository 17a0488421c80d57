"""Reminders ring exactly once with two tasks-service instances, one of them killed mid-way.

Two instances run as processes. Tasks are created whose reminders and overdue alerts fall due
over a few seconds; while they are ringing, one instance is killed with SIGKILL (no clean
shutdown: leases it held stay held until they run out) and started again. A test queue bound to
the events exchange records every event. In the end every alarm rang exactly once: one event id
per alarm, the alarm's own id, and one notification per alarm for its assignee. A message
published twice (the outbox relay sending again what a killed instance published but had not
yet marked sent) carries the same id and the same body, which is what consumers dedupe on.

Usually done in about 30 s. A kill that lands inside one of the instance's transactions leaves
the database holding that transaction until the server gives it up (60 s, in SecantusDB as in
MongoDB's default `transactionLifetimeLimitSeconds`): the one alarm or notification it was
writing then waits for that, everything else goes on, and the test takes about a minute longer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.tasks.settings import TasksSettings
from shared.broker import make_broker
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import CreateTask, TaskDraft
from shared.mongo import Document
from shared.rpc import RpcClient
from tests.conftest import Namespace
from tests.support.broker import tap
from tests.support.processes import Process, service, tail, wait_ready
from tests.support.waiting import eventually
from tools.embedded_mongo import free_port

pytestmark = pytest.mark.e2e
TASKS = 24
REMINDERS_PER_TASK = 3
# Every task also has its overdue alert.
ALARMS = TASKS * REMINDERS_PER_TASK + TASKS
LEASE_S = 2
# The server's lifetime of a transaction whose client died, and some time to spare.
DEAD_TRANSACTION_S = 60
PATIENCE_S = DEAD_TRANSACTION_S + 30
ANNA = Actor(type=ActorType.SUPPORTER, id="anna")


def instance(namespace: Namespace, port: int, log: Path) -> Process:
    env = dict(os.environ) | {
        "TASKS_PORT": str(port),
        "TASKS_ALARM_POLL_S": "0.2",
        "TASKS_ALARM_LEASE_S": str(LEASE_S),
    }
    return service("tasks", env=env, log=log)


def drafts(start: datetime) -> list[TaskDraft]:
    """Alarms from 5 to 13 seconds after `start`, several falling due at the same instant."""
    found = []
    for i in range(TASKS):
        due = start + timedelta(seconds=10 + i % 4)
        reminders = tuple(
            (due - timedelta(seconds=1 + r * 2)).isoformat() for r in range(REMINDERS_PER_TASK)
        )
        found.append(
            TaskDraft(
                title=f"Follow-up {i}", assignee=f"agent-{i % 3}", due_at=due, reminders=reminders
            )
        )
    return found


async def test_every_alarm_rings_once_across_a_crash(
    namespace: Namespace, mongo: AsyncMongoClient[Document], tmp_path: Path
) -> None:
    db = mongo[namespace.database("tasks")]
    ports = free_port(), free_port()
    logs = tmp_path / "tasks-a.log", tmp_path / "tasks-b.log"
    broker = make_broker(TasksSettings(), service="test", tracer_provider=None)
    rpc = RpcClient(broker, namespace.topology, timeout_s=15)

    with (
        instance(namespace, ports[0], logs[0]) as first,
        instance(namespace, ports[1], logs[1]) as second,
    ):
        await asyncio.gather(
            asyncio.to_thread(wait_ready, ports[0], process=first.popen, log=logs[0]),
            asyncio.to_thread(wait_ready, ports[1], process=second.popen, log=logs[1]),
        )
        await broker.start()
        events_exchange = namespace.topology.events.name
        try:
            async with tap(namespace.infra.amqp_url, events_exchange, "task.#") as events:
                start = datetime.now(UTC)
                created = [
                    await rpc.request("tasks", CreateTask(task=draft, actor=ANNA))
                    for draft in drafts(start)
                ]
                assert all(reply.ok for reply in created), [r.problem for r in created]
                expected = await armed_alarms(db)
                assert len(expected) == ALARMS

                def alarm_events() -> list[dict[str, Any]]:
                    return events.bodies("task.reminder_due.v1") + events.bodies("task.overdue.v1")

                await eventually(
                    lambda: len(alarm_events()) >= ALARMS // 4,
                    timeout=30,
                    what="a quarter of the alarms to ring",
                )
                first.signal(signal.SIGKILL, group=True)
                await asyncio.to_thread(first.wait, 10)
                # Alarms the killed instance had claimed and not yet rung: taken over later.
                held_by_the_dead = await db["alarms"].count_documents(
                    {"status": "scheduled", "lease_owner": {"$regex": f"/{first.pid}/"}}
                )
                rang_before_restart = await db["alarms"].count_documents({"status": "rang"})
                assert rang_before_restart < ALARMS, "killed too late to prove anything"

                restarted = instance(namespace, ports[0], logs[0]).start()
                try:
                    await asyncio.to_thread(
                        wait_ready, ports[0], process=restarted.popen, log=logs[0]
                    )
                    await eventually(
                        lambda: {e["message_id"] for e in alarm_events()} >= expected,
                        timeout=PATIENCE_S,
                        what=f"all {ALARMS} alarms to ring",
                    )

                    async def all_notified() -> bool:
                        return await db["notifications"].count_documents({}) == ALARMS

                    await eventually(
                        all_notified, timeout=PATIENCE_S, what="one notification per alarm"
                    )
                    # Give a late duplicate (the relay's grace is 5 s) the time to show itself.
                    await asyncio.sleep(1)
                    delivered = alarm_events()
                finally:
                    restarted.kill_all()
        finally:
            await broker.stop()

    ids = Counter(e["message_id"] for e in delivered)
    assert set(ids) == expected, "an alarm rang under an id of its own, or not at all"
    for event in delivered:
        alarm_id = event.get("reminder_id") or event.get("alert_id")
        assert event["message_id"] == alarm_id
    # A repeated delivery is the same message again, never a second ringing.
    for message_id, count in ids.items():
        if count > 1:
            bodies = [e for e in delivered if e["message_id"] == message_id]
            assert all(b == bodies[0] for b in bodies), message_id
    notifications = await db["notifications"].find().to_list()
    assert sorted(n["_id"] for n in notifications) == sorted(expected)
    assert await db["alarms"].count_documents({"status": "scheduled"}) == 0
    # Both instances did part of the work, the killed one before it was killed.
    owners = Counter(
        int(a["lease_owner"].split("/")[1]) for a in await db["alarms"].find().to_list()
    )
    assert owners[first.pid] > 0, owners
    assert owners[second.pid] > 0, owners

    late = [(n["created_at"] - n["at"]).total_seconds() for n in notifications]
    print(
        f"\n{ALARMS} alarms, {len(delivered)} deliveries ({len(delivered) - len(ids)} repeated),"
        f" {rang_before_restart} rang before the restart, {held_by_the_dead} held by the killed"
        f" instance; notification delay after the alarm:"
        f" median {statistics.median(late):.2f}s, max {max(late):.2f}s; owners {dict(owners)}"
    )
    # Within seconds for what the killed instance held (its lease, then a poll) or committed
    # without publishing (the relay's grace); within the server's patience for what it was
    # writing when it died.
    assert statistics.median(late) < 10
    assert max(late) < DEAD_TRANSACTION_S + 15, tail(logs[0])


async def armed_alarms(db: Any) -> set[str]:
    return {a["_id"] async for a in db["alarms"].find({}, {"_id": 1})}

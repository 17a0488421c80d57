"""Tasks through the public API: the gateway and the tasks service in-process, the real broker
and database between them. `me` is whoever calls (the caller's principal, as the task's creator
shows it), so these tests hold whichever way callers authenticate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.tasks.settings import TasksSettings
from shared.broker import make_broker
from shared.mongo import Document
from shared.rpc import RpcClient
from tests.conftest import Namespace, Suite, suite_of
from tests.integration.tasks.conftest import POLL_S, TasksClient
from tests.support.waiting import eventually


@pytest.fixture
async def api_suite(namespace: Namespace, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Suite]:
    monkeypatch.setenv("TASKS_ALARM_POLL_S", POLL_S)
    async with suite_of(namespace, ("tasks", "gateway")) as running:
        yield running


@pytest.fixture
def api(api_suite: Suite) -> httpx.AsyncClient:
    return api_suite.gateway


@pytest.fixture
async def customers(
    namespace: Namespace, api_suite: Suite, mongo: AsyncMongoClient[Document]
) -> AsyncIterator[TasksClient]:
    """Plays the customer service, whose events tell the tasks service about customers."""
    broker = make_broker(TasksSettings(), service="test", tracer_provider=None)
    await broker.start()
    try:
        rpc = RpcClient(broker, namespace.topology, timeout_s=10)
        yield TasksClient(rpc, broker, namespace, api_suite.db(mongo, "tasks"))
    finally:
        await broker.stop()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def fields_of(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


def hours(n: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=n)).isoformat()


async def test_a_task_is_created_changed_moved_reopened_and_commented(
    api: httpx.AsyncClient, customers: TasksClient
) -> None:
    await customers.customer("c1")
    response = await api.post(
        "/v1/tasks",
        json={
            "title": "Call back about the refund",
            "customer_id": "c1",
            "due_at": hours(48),
            "priority": "high",
            "reminders": ["PT1H"],
        },
    )
    task = ok(response, 201)
    me = task["creator"]
    assert (task["assignee"], task["status"], task["version"]) == (me, "pending", 1)
    assert response.headers["etag"] == '"1"'
    url = f"/v1/tasks/{task['id']}"

    read = await api.get(url)
    assert ok(read)["title"] == "Call back about the refund"
    assert read.headers["etag"] == '"1"'

    changed = ok(
        await api.patch(
            url,
            json={"priority": "urgent", "assignee": "key-ben", "reminders": None},
            headers={"If-Match": '"1"'},
        )
    )
    assert (changed["priority"], changed["assignee"], changed["reminders"]) == (
        "urgent",
        "key-ben",
        [],
    )
    assert changed["version"] == 2
    # Someone changed it meanwhile: the stale version is refused, nothing changes.
    stale = problem(await api.patch(url, json={"title": "X"}, headers={"If-Match": '"1"'}), 409)
    assert "version 2" in stale["detail"]
    refused = problem(await api.patch(url, json={"title": None, "priority": "asap"}), 422)
    assert "priority" in {f.split(".")[-1] for f in fields_of(refused)}
    not_clearable = problem(await api.patch(url, json={"title": None}), 422)
    assert fields_of(not_clearable) == {"title"}
    mine = ok(await api.patch(url, json={"assignee": "me"}))
    assert mine["assignee"] == me

    done = ok(await api.post(f"{url}/status", json={"status": "completed"}))
    assert (done["status"], done["completed_at"] is not None) == ("completed", True)
    forbidden = problem(await api.post(f"{url}/status", json={"status": "in_progress"}), 409)
    assert "completed -> in_progress" in forbidden["detail"]
    assert fields_of(forbidden) == {"status"}
    reopened = ok(await api.post(f"{url}/reopen", json={"reason": "customer called again"}))
    assert reopened["status"] == "pending"
    commented = ok(await api.post(f"{url}/comments", json={"text": "Voicemail left"}), 201)
    assert [c["text"] for c in commented["comments"]] == ["Voicemail left"]

    history = ok(await api.get(f"{url}/history", params={"limit": 3}))
    assert [e["action"] for e in history["items"]] == ["commented", "reopened", "status_changed"]
    rest = ok(await api.get(f"{url}/history", params={"cursor": history["next_cursor"]}))
    assert [e["action"] for e in rest["items"]] == ["changed", "changed", "created"]

    assert ok(await api.get("/v1/customers/c1/tasks"))["items"][0]["id"] == task["id"]


async def test_unknown_tasks_and_bad_input_are_named(api: httpx.AsyncClient) -> None:
    missing = problem(await api.get("/v1/tasks/no-such-task"), 404)
    assert missing["title"] == "Task not found"
    problem(await api.post("/v1/tasks/no-such-task/status", json={"status": "completed"}), 404)
    bad = problem(
        await api.post("/v1/tasks", json={"title": "", "priority": "asap", "reminders": ["soon"]}),
        422,
    )
    assert {"title", "priority"} <= {f.split(".")[-1] for f in fields_of(bad)}
    reminder = problem(
        await api.post("/v1/tasks", json={"title": "T", "due_at": hours(1), "reminders": ["x"]}),
        422,
    )
    assert any("reminders" in f for f in fields_of(reminder))
    naive = problem(await api.get("/v1/tasks", params={"due_before": "2026-01-01T00:00:00"}), 422)
    assert fields_of(naive) == {"due_before"}
    bad_match = problem(await api.patch("/v1/tasks/x", json={}, headers={"If-Match": "v1"}), 422)
    assert fields_of(bad_match) == {"If-Match"}
    # Versions start at 1: version 0 answered 500 (found by schemathesis).
    for status_change in (
        api.post("/v1/tasks/x/status", json={"status": "pending"}, headers={"If-Match": "0"}),
        api.post("/v1/tasks/x/reopen", headers={"If-Match": '"0"'}),
    ):
        assert fields_of(problem(await status_change, 422)) == {"If-Match"}


async def test_tasks_are_found_by_filters_and_paged(
    api: httpx.AsyncClient, customers: TasksClient
) -> None:
    await customers.customer("c2")
    made = [
        ok(await api.post("/v1/tasks", json=draft), 201)
        for draft in (
            {"title": "late", "due_at": hours(-2), "priority": "urgent", "customer_id": "c2"},
            {"title": "soon", "due_at": hours(2), "priority": "low", "customer_id": "c2"},
            {"title": "later", "due_at": hours(30), "priority": "high"},
            {"title": "bens", "due_at": hours(3), "assignee": "key-ben"},
        )
    ]
    late, soon, later, bens = (t["id"] for t in made)

    async def found(**params: Any) -> list[str]:
        page = ok(await api.get("/v1/tasks", params=params))
        return [t["id"] for t in page["items"]]

    assert await found(assignee="me") == [late, soon, later]
    assert await found(assignee="key-ben") == [bens]
    assert await found(overdue="true") == [late]
    assert await found(priority=["high", "urgent"]) == [late, later]
    assert await found(customer="c2", sort="priority") == [late, soon]
    assert await found(due_after=hours(0), due_before=hours(10)) == [soon, bens]
    ok(await api.post(f"/v1/tasks/{soon}/status", json={"status": "in_progress"}))
    assert await found(status="in_progress") == [soon]

    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = ok(await api.get("/v1/tasks", params=params))
        pages.append([t["id"] for t in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [[late, soon, bens], [later]]

    report = ok(await api.get("/v1/reports/tasks"))
    assert (report["open_total"], report["overdue"], report["completed"]) == (4, 1, 0)
    per = {(o["assignee"], o["priority"]): o["count"] for o in report["open"]}
    assert per[("key-ben", "normal")] == 1
    assert sum(per.values()) == 4


async def test_a_due_reminder_reaches_my_notifications_newest_first(
    api: httpx.AsyncClient,
) -> None:
    # Far enough ahead that a loaded machine still arms them (a time passed before the task is
    # stored does not ring): seen failing at 3 s while other test runs shared the machine.
    for title, seconds in (("first", 6), ("second", 7)):
        now = datetime.now(UTC)
        ok(
            await api.post(
                "/v1/tasks",
                json={
                    "title": title,
                    "due_at": (now + timedelta(days=1)).isoformat(),
                    "reminders": [(now + timedelta(seconds=seconds)).isoformat()],
                },
            ),
            201,
        )

    async def both() -> dict[str, Any] | None:
        page: dict[str, Any] = ok(await api.get("/v1/notifications"))
        return page if len(page["items"]) == 2 else None

    page = await eventually(both, timeout=40, what="two notifications")
    assert [n["title"] for n in page["items"]] == ["second", "first"]
    assert (page["unread"], page["items"][0]["kind"]) == (2, "reminder")

    marked = ok(await api.post("/v1/notifications/read", json={"ids": [page["items"][0]["id"]]}))
    assert marked == {"marked": 1}
    unread = ok(await api.get("/v1/notifications", params={"unread_only": "true"}))
    assert ([n["title"] for n in unread["items"]], unread["unread"]) == (["first"], 1)
    problem(await api.post("/v1/notifications/read", json={"ids": []}), 422)

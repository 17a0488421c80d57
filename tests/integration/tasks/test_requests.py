"""Tasks over request/reply: created, changed, found, refused with problems naming the fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    ChangeTask,
    ChangeTaskStatus,
    CommentOnTask,
    CreateTask,
    FindTasks,
    GetCustomerTasks,
    GetTask,
    GetTaskHistory,
    GetTaskReport,
    ReopenTask,
    TaskDraft,
    TaskPatch,
    TaskPriority,
    TaskSort,
    TaskStatus,
)
from tests.integration.tasks.conftest import ANNA, TasksClient

BEN = Actor(type=ActorType.API, id="key-ben")


def soon(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


async def create(tasks: TasksClient, actor: Actor = ANNA, **draft: Any) -> dict[str, Any]:
    draft.setdefault("title", "Call back about the refund")
    task: dict[str, Any] = await tasks.ask(
        CreateTask(task=TaskDraft.model_validate(draft), actor=actor)
    )
    return task


async def test_a_task_is_created_changed_and_read_back(tasks: TasksClient) -> None:
    await tasks.customer("c1")
    due = soon(48)
    created = await create(
        tasks,
        customer_id="c1",
        description="Order 5001 arrived damaged",
        due_at=due,
        priority="high",
        next_action="Offer a voucher",
        reminders=["PT1H", "P1D"],
    )
    assert created["version"] == 1
    assert (created["status"], created["creator"], created["assignee"]) == (
        "pending",
        "anna",
        "anna",
    )
    assert [r["spec"] for r in created["reminders"]] == ["PT1H", "P1D"]

    changed = await tasks.ask(
        ChangeTask(
            task_id=created["id"],
            set=TaskPatch(assignee="key-ben", priority=TaskPriority.URGENT),
            clear=("next_action",),
            expected_version=1,
            actor=ANNA,
        )
    )
    assert (changed["version"], changed["assignee"], changed["next_action"]) == (
        2,
        "key-ben",
        None,
    )
    commented = await tasks.ask(
        CommentOnTask(task_id=created["id"], text="Voicemail left", actor=BEN)
    )
    assert commented["comments"][0]["author"] == BEN.model_dump(mode="json")
    read = await tasks.ask(GetTask(task_id=created["id"], actor=BEN))
    assert read == commented

    history = await tasks.ask(GetTaskHistory(task_id=created["id"], limit=2, actor=ANNA))
    assert [e["action"] for e in history["items"]] == ["commented", "changed"]
    changes = {c["field"]: c for c in history["items"][1]["changes"]}
    assert changes["priority"] == {"field": "priority", "before": "high", "after": "urgent"}
    assert changes["next_action"]["before"] == "Offer a voucher"
    rest = await tasks.ask(
        GetTaskHistory(task_id=created["id"], cursor=history["next_cursor"], actor=ANNA)
    )
    assert [e["action"] for e in rest["items"]] == ["created"]
    assert rest["next_cursor"] is None


async def test_the_same_request_sent_twice_creates_one_task(tasks: TasksClient) -> None:
    command = CreateTask(task=TaskDraft(title="Check the address"), actor=ANNA)
    first = await tasks.ask(command)
    again = await tasks.ask(command)
    assert again == first
    assert await tasks.db["tasks"].count_documents({}) == 1


async def test_refusals_are_problems_that_name_the_fault(tasks: TasksClient) -> None:
    task = await create(tasks)
    bad_reminder = await tasks.refused(
        CreateTask(task=TaskDraft(title="x", reminders=("PT1H", "soon")), actor=ANNA)
    )
    assert bad_reminder.status == 422
    assert [e.field for e in bad_reminder.errors] == ["task.reminders.0", "task.reminders.1"]

    unknown_customer = await tasks.refused(
        CreateTask(task=TaskDraft(title="x", customer_id="nobody"), actor=ANNA)
    )
    assert (unknown_customer.status, unknown_customer.errors[0].field) == (
        422,
        "task.customer_id",
    )

    stale = await tasks.refused(
        ChangeTask(task_id=task["id"], set=TaskPatch(title="y"), expected_version=7, actor=ANNA)
    )
    assert (stale.status, stale.errors[0].field) == (409, "expected_version")

    await tasks.ask(ChangeTaskStatus(task_id=task["id"], status=TaskStatus.COMPLETED, actor=ANNA))
    forbidden = await tasks.refused(
        ChangeTaskStatus(task_id=task["id"], status=TaskStatus.IN_PROGRESS, actor=ANNA)
    )
    assert forbidden.status == 409
    assert "completed -> in_progress" in (forbidden.detail or "")
    not_open = await tasks.refused(ReopenTask(task_id="nope", actor=ANNA))
    assert not_open.status == 404

    malformed = await tasks.rpc.request(
        "tasks", GetTask.model_construct(task_id="", actor=ANNA, type="task.get.v1")
    )
    assert malformed.problem is not None
    assert malformed.problem.status == 400


async def test_completing_a_recurring_task_creates_the_next(tasks: TasksClient) -> None:
    task = await create(tasks, due_at=soon(1), recurrence={"every": 1, "unit": "weeks"})
    done = await tasks.ask(
        ChangeTaskStatus(task_id=task["id"], status=TaskStatus.COMPLETED, actor=ANNA)
    )
    upcoming = await tasks.ask(GetTask(task_id=done["next_task_id"], actor=ANNA))
    assert upcoming["previous_task_id"] == task["id"]
    assert upcoming["status"] == "pending"
    assert datetime.fromisoformat(upcoming["due_at"]) - datetime.fromisoformat(
        task["due_at"]
    ) == timedelta(weeks=1)
    reopened = await tasks.ask(ReopenTask(task_id=task["id"], reason="not done", actor=ANNA))
    assert (reopened["status"], reopened["next_task_id"]) == ("pending", upcoming["id"])


async def ids(tasks: TasksClient, **filters: Any) -> list[str]:
    page = await tasks.ask(FindTasks(actor=ANNA, **filters))
    return [t["id"] for t in page["items"]]


async def test_tasks_are_found_by_filters_sorted_and_paged(tasks: TasksClient) -> None:
    await tasks.customer("c1")
    overdue = await create(tasks, title="late", due_at=soon(-2), priority="low")
    urgent = await create(tasks, title="urgent", due_at=soon(30), priority="urgent")
    bens = await create(tasks, title="bens", assignee="key-ben", due_at=soon(5), customer_id="c1")
    undated = await create(tasks, title="undated", priority="high")
    done = await create(tasks, title="done", due_at=soon(-1))
    await tasks.ask(ChangeTaskStatus(task_id=done["id"], status=TaskStatus.COMPLETED, actor=ANNA))

    by_deadline = [overdue["id"], done["id"], bens["id"], urgent["id"], undated["id"]]
    assert await ids(tasks) == by_deadline
    assert await ids(tasks, descending=True) == by_deadline[::-1]
    assert await ids(tasks, sort=TaskSort.PRIORITY, status=("pending",)) == [
        urgent["id"],
        undated["id"],
        bens["id"],
        overdue["id"],
    ]
    assert await ids(tasks, assignee="key-ben") == [bens["id"]]
    assert await ids(tasks, customer_id="c1") == [bens["id"]]
    assert await ids(tasks, priority=("low", "urgent")) == [overdue["id"], urgent["id"]]
    assert await ids(tasks, overdue=True) == [overdue["id"]]
    assert await ids(tasks, overdue=False) == [done["id"], bens["id"], urgent["id"], undated["id"]]
    assert await ids(tasks, due_after=soon(0), due_before=soon(24)) == [bens["id"]]
    assert await ids(tasks, status=("completed",)) == [done["id"]]
    # Conditions on one field (status, due date) hold together; every filter narrows.
    assert await ids(tasks, overdue=True, status=("pending",)) == [overdue["id"]]
    assert await ids(tasks, overdue=True, status=("completed",)) == []
    assert await ids(tasks, due_after=soon(-3), overdue=False) == [
        done["id"],
        bens["id"],
        urgent["id"],
    ]
    assert await ids(tasks, customer_id="c1", assignee="key-ben", status=("pending",)) == [
        bens["id"]
    ]
    assert await ids(tasks, customer_id="c1", status=("completed",)) == []

    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = await tasks.ask(FindTasks(limit=2, cursor=cursor, actor=ANNA))
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == by_deadline

    view = await tasks.ask(GetTask(task_id=overdue["id"], actor=ANNA))
    assert view["overdue"] is True
    forged = await tasks.refused(FindTasks(cursor="not-a-cursor", actor=ANNA))
    assert (forged.status, forged.errors[0].field) == (422, "cursor")

    open_of_c1 = await tasks.ask(GetCustomerTasks(customer_id="c1", actor=ANNA))
    assert [t["id"] for t in open_of_c1["items"]] == [bens["id"]]


async def test_the_report_counts_open_work_and_completion_times(tasks: TasksClient) -> None:
    await create(tasks, priority="urgent")
    await create(tasks, priority="urgent", due_at=soon(-1))
    await create(tasks, assignee="key-ben")
    done = await create(tasks)
    await tasks.ask(ChangeTaskStatus(task_id=done["id"], status=TaskStatus.COMPLETED, actor=ANNA))
    report = await tasks.ask(GetTaskReport(actor=ANNA))
    assert report["open"] == [
        {"assignee": "anna", "priority": "urgent", "count": 2},
        {"assignee": "key-ben", "priority": "normal", "count": 1},
    ]
    assert (report["open_total"], report["overdue"], report["completed"]) == (3, 1, 1)
    assert 0 <= report["median_completion_s"] < 60

"""The task report: open work per assignee and priority, overdue, median time to completion."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    ChangeTaskStatus,
    CreateTask,
    GetTaskReport,
    OpenTaskCount,
    TaskDraft,
    TaskPriority,
    TaskStatus,
)
from tests.unit.tasks.fakes import Service

ANNA = Actor(type=ActorType.SUPPORTER, id="anna")


async def add(service: Service, assignee: str, priority: str, due_in_h: float = 48) -> str:
    draft = TaskDraft(
        title="Follow up",
        assignee=assignee,
        priority=TaskPriority(priority),
        due_at=service.clock.now + timedelta(hours=due_in_h),
    )
    return (await service.changes.create(CreateTask(task=draft, actor=ANNA))).id


async def complete_after(service: Service, task_id: str, hours: float) -> None:
    service.clock.advance(hours=hours)
    await service.changes.change_status(
        ChangeTaskStatus(task_id=task_id, status=TaskStatus.COMPLETED, actor=ANNA)
    )


async def test_the_report_counts_open_overdue_and_the_median_completion() -> None:
    service = Service()
    await add(service, "anna", "urgent")
    await add(service, "anna", "low")
    await add(service, "anna", "low", due_in_h=1)
    await add(service, "ben", "normal")
    done = [await add(service, "ben", "high") for _ in range(3)]
    await complete_after(service, done[0], hours=1)
    await complete_after(service, done[1], hours=2)
    await complete_after(service, done[2], hours=6)
    # Three tasks were created at the start; completed after 1, 3 and 9 hours.
    report = await service.reports.report(GetTaskReport(actor=ANNA))
    assert report.open == (
        OpenTaskCount(assignee="anna", priority=TaskPriority.URGENT, count=1),
        OpenTaskCount(assignee="anna", priority=TaskPriority.LOW, count=2),
        OpenTaskCount(assignee="ben", priority=TaskPriority.NORMAL, count=1),
    )
    assert report.open_total == 4
    assert report.overdue == 1
    assert report.completed == 3
    assert report.median_completion_s == 3 * 3600


async def test_an_empty_report_has_no_median() -> None:
    report = await Service().reports.report(GetTaskReport(actor=ANNA))
    assert (report.open, report.overdue, report.completed, report.median_completion_s) == (
        (),
        0,
        0,
        None,
    )

"""Alarms ring once: claimed under a lease, rung only by the lease's holder."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    ChangeTaskStatus,
    CreateTask,
    ReassignTask,
    TaskDraft,
    TaskOverdue,
    TaskReminderDue,
    TaskStatus,
)
from tests.unit.tasks.fakes import Service

ANNA = Actor(type=ActorType.SUPPORTER, id="anna")


async def task_due_in(service: Service, *, minutes: int, reminders: tuple[str, ...]) -> str:
    draft = TaskDraft(
        title="Check the address",
        due_at=service.clock.now + timedelta(minutes=minutes),
        reminders=reminders,
    )
    view = await service.changes.create(CreateTask(task=draft, actor=ANNA))
    return view.id


async def test_a_reminder_rings_when_due_with_its_own_id_as_message_id() -> None:
    service = Service()
    task_id = await task_due_in(service, minutes=60, reminders=("PT30M",))
    ringing = service.ringing("a")
    assert await ringing.ring_due() == 0
    service.clock.advance(minutes=30)
    assert await ringing.ring_due() == 1
    (event,) = service.published.of(TaskReminderDue)
    assert event.message_id == event.reminder_id == service.alarms.with_status("rang")[0]
    assert (event.task_id, event.assignee, event.title) == (task_id, "anna", "Check the address")
    assert event.remind_at == service.clock.now
    assert await ringing.ring_due() == 0


async def test_the_overdue_alert_rings_at_the_deadline() -> None:
    service = Service()
    task_id = await task_due_in(service, minutes=10, reminders=())
    service.clock.advance(minutes=10)
    assert await service.ringing("a").ring_due() == 1
    (event,) = service.published.of(TaskOverdue)
    assert (event.task_id, event.message_id) == (task_id, event.alert_id)


async def test_an_alarm_held_by_a_crashed_instance_rings_once_after_its_lease() -> None:
    service = Service()
    await task_due_in(service, minutes=5, reminders=("PT1M",))
    service.clock.advance(minutes=4)
    crashed, survivor = service.ringing("a", lease_s=30), service.ringing("b", lease_s=30)
    claimed = await service.alarms.claim(
        owner="a", now=service.clock.now, lease=timedelta(seconds=30)
    )
    assert claimed is not None
    # "a" dies holding the lease: nobody else takes the alarm while the lease lasts...
    assert await survivor.ring_due() == 0
    service.clock.advance(seconds=31)
    # ...then "b" takes it over and rings it.
    assert await survivor.ring_due() == 1
    # "a" coming back to finish what it claimed rings nothing: the alarm has rung.
    assert await crashed.ring(claimed) == 0
    assert len(service.published.of(TaskReminderDue)) == 1


async def test_an_alarm_rung_but_not_settled_is_settled_by_the_next_claim() -> None:
    service = Service()
    await task_due_in(service, minutes=5, reminders=("PT1M",))
    service.clock.advance(minutes=4)
    claimed = await service.alarms.claim(
        owner="a", now=service.clock.now, lease=timedelta(seconds=30)
    )
    assert claimed is not None
    # "a" committed the ringing (the outbox relay sends its event) and died before marking
    # the alarm settled.
    service.once.done[claimed.alarm.id] = 1
    service.clock.advance(seconds=31)
    assert await service.ringing("b").ring_due() == 0
    assert service.alarms.with_status("rang") == [claimed.alarm.id]
    assert service.published.of(TaskReminderDue) == []


async def test_a_finished_tasks_alarms_do_not_ring() -> None:
    service = Service()
    task_id = await task_due_in(service, minutes=5, reminders=("PT1M",))
    await service.changes.change_status(
        ChangeTaskStatus(task_id=task_id, status=TaskStatus.COMPLETED, actor=ANNA)
    )
    service.clock.advance(minutes=10)
    assert await service.ringing("a").ring_due() == 0
    assert service.published.of(TaskReminderDue) == []


async def test_a_reminder_goes_to_whoever_is_assigned_when_it_rings() -> None:
    service = Service()
    task_id = await task_due_in(service, minutes=5, reminders=("PT1M",))
    await service.changes.reassign(ReassignTask(task_id=task_id, assignee="ben", actor=ANNA))
    service.clock.advance(minutes=4)
    await service.ringing("a").ring_due()
    (event,) = service.published.of(TaskReminderDue)
    assert event.assignee == "ben"

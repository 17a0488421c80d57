"""Creating and changing tasks through the use cases, with in-memory ports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.contracts.customers import CustomerRef, CustomerStatus
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    ChangeTask,
    ChangeTaskStatus,
    CommentOnTask,
    CreateTask,
    ReassignTask,
    ReopenTask,
    TaskChanged,
    TaskCompleted,
    TaskCreated,
    TaskDraft,
    TaskPatch,
    TaskReassigned,
    TaskStatus,
    TaskStatusChanged,
    TaskView,
)
from shared.errors import Conflict, InvalidInput, NotFound, StaleVersion
from tests.unit.tasks.fakes import Service

ANNA = Actor(type=ActorType.SUPPORTER, id="anna")


def customer(customer_id: str, status: CustomerStatus = CustomerStatus.ACTIVE) -> CustomerRef:
    return CustomerRef(customer_id=customer_id, customer_number=10001, version=1, status=status)


@pytest.fixture
def service() -> Service:
    service = Service()
    service.customers.known["c1"] = customer("c1")
    return service


def create(service: Service, **draft: object) -> CreateTask:
    draft.setdefault("title", "Call back about the refund")
    return CreateTask(task=TaskDraft.model_validate(draft), actor=ANNA)


async def created(service: Service, **draft: object) -> TaskView:
    return await service.changes.create(create(service, **draft))


async def test_a_created_task_is_stored_armed_and_announced(service: Service) -> None:
    due = service.clock.now + timedelta(days=2)
    view = await created(service, customer_id="c1", due_at=due, reminders=("PT1H",))
    assert (view.status, view.version, view.creator, view.assignee) == (
        TaskStatus.PENDING,
        1,
        "anna",
        "anna",
    )
    assert set(service.alarms.with_status("scheduled")) == {
        a.id for a in service.tasks.stored[view.id].alarms
    }
    (event,) = service.published.of(TaskCreated)
    assert (event.task_id, event.customer_id, event.title) == (view.id, "c1", view.title)
    assert event.actor == ANNA


async def test_the_same_request_twice_creates_one_task(service: Service) -> None:
    command = create(service)
    first = await service.changes.create(command)
    again = await service.changes.create(command)
    assert again == first
    assert len(service.tasks.stored) == 1
    assert len(service.published.of(TaskCreated)) == 1


async def test_a_task_for_an_unknown_customer_is_refused_naming_the_field(
    service: Service,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await created(service, customer_id="nobody")
    assert refused.value.errors[0].field == "task.customer_id"
    assert service.tasks.stored == {}


async def test_a_task_for_an_absorbed_customer_lands_on_the_master(service: Service) -> None:
    service.customers.merges["dup"] = "c1"
    view = await created(service, customer_id="dup")
    assert view.customer_id == "c1"


async def test_a_task_for_an_erased_customer_is_refused(service: Service) -> None:
    service.customers.known["gone"] = customer("gone", CustomerStatus.ERASED)
    with pytest.raises(Conflict, match="erased"):
        await created(service, customer_id="gone")


async def test_a_change_is_announced_with_its_fields_and_a_reassignment(
    service: Service,
) -> None:
    view = await created(service)
    changed = await service.changes.change(
        ChangeTask(
            task_id=view.id,
            set=TaskPatch(title="Call back today", assignee="ben"),
            expected_version=1,
            actor=ANNA,
        )
    )
    assert (changed.version, changed.title, changed.assignee) == (2, "Call back today", "ben")
    (event,) = service.published.of(TaskChanged)
    assert [c.field for c in event.changes] == ["title", "assignee"]
    (reassigned,) = service.published.of(TaskReassigned)
    assert (reassigned.before, reassigned.after, reassigned.version) == ("anna", "ben", 2)


async def test_a_change_against_an_old_version_is_refused(service: Service) -> None:
    view = await created(service)
    await service.changes.reassign(ReassignTask(task_id=view.id, assignee="ben", actor=ANNA))
    with pytest.raises(StaleVersion):
        await service.changes.change(
            ChangeTask(task_id=view.id, set=TaskPatch(title="x"), expected_version=1, actor=ANNA)
        )
    assert service.tasks.stored[view.id].title == view.title


async def test_a_forbidden_transition_changes_nothing(service: Service) -> None:
    view = await created(service)
    await service.changes.change_status(
        ChangeTaskStatus(task_id=view.id, status=TaskStatus.CANCELLED, actor=ANNA)
    )
    events_before = len(service.published.events)
    with pytest.raises(Conflict, match="cancelled -> in_progress"):
        await service.changes.change_status(
            ChangeTaskStatus(task_id=view.id, status=TaskStatus.IN_PROGRESS, actor=ANNA)
        )
    assert service.tasks.stored[view.id].status == TaskStatus.CANCELLED
    assert len(service.published.events) == events_before


async def test_completing_a_recurring_task_stores_and_announces_the_next(
    service: Service,
) -> None:
    due = service.clock.now + timedelta(days=1)
    view = await created(
        service, due_at=due, recurrence={"every": 1, "unit": "weeks"}, reminders=("PT1H",)
    )
    armed = service.alarms.with_status("scheduled")
    done = await service.changes.change_status(
        ChangeTaskStatus(task_id=view.id, status=TaskStatus.COMPLETED, actor=ANNA)
    )
    assert done.next_task_id is not None
    upcoming = service.tasks.stored[done.next_task_id]
    assert upcoming.due_at == due + timedelta(weeks=1)
    (completed,) = service.published.of(TaskCompleted)
    assert completed.next_task_id == upcoming.id
    assert [e.task_id for e in service.published.of(TaskCreated)] == [view.id, upcoming.id]
    # The finished task's alarms are disarmed, the next one's armed.
    assert set(service.alarms.with_status("void")) == set(armed)
    assert set(service.alarms.with_status("scheduled")) == {a.id for a in upcoming.alarms}


async def test_reopening_is_announced_as_a_reopening(service: Service) -> None:
    view = await created(service)
    await service.changes.change_status(
        ChangeTaskStatus(task_id=view.id, status=TaskStatus.COMPLETED, actor=ANNA)
    )
    reopened = await service.changes.reopen(
        ReopenTask(task_id=view.id, reason="not solved", actor=ANNA)
    )
    assert reopened.status == TaskStatus.PENDING
    (event,) = service.published.of(TaskStatusChanged)
    assert (event.before, event.after, event.reopened) == (
        TaskStatus.COMPLETED,
        TaskStatus.PENDING,
        True,
    )


async def test_a_comment_is_added_by_its_author(service: Service) -> None:
    view = await created(service)
    ben = Actor(type=ActorType.API, id="key-1")
    commented = await service.changes.comment(
        CommentOnTask(task_id=view.id, text="Left a voicemail", actor=ben)
    )
    (comment,) = commented.comments
    assert (comment.author, comment.text) == (ben, "Left a voicemail")
    assert commented.version == 2


async def test_an_unknown_task_is_not_found(service: Service) -> None:
    with pytest.raises(NotFound):
        await service.changes.reopen(ReopenTask(task_id="nope", actor=ANNA))

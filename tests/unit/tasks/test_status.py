"""Status moves only along allowed transitions; reopening is its own, recorded step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.tasks.domain.status import ALLOWED, CLOSED
from services.tasks.domain.task import Task
from shared.contracts.tasks import TaskAction, TaskStatus
from shared.errors import Conflict
from tests.unit.tasks.drafts import ANNA, BEN, NOW, task

LATER = NOW + timedelta(hours=1)


def move(status: TaskStatus, *through: TaskStatus) -> Task:
    current = task()
    for step in through:
        current, _ = current.moved_to(step, actor=ANNA, now=NOW, next_task_id="next")
    moved, _ = current.moved_to(status, actor=BEN, now=LATER, next_task_id="next")
    return moved


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), TaskStatus.IN_PROGRESS),
        ((), TaskStatus.COMPLETED),
        ((), TaskStatus.CANCELLED),
        ((TaskStatus.IN_PROGRESS,), TaskStatus.PENDING),
        ((TaskStatus.IN_PROGRESS,), TaskStatus.COMPLETED),
        ((TaskStatus.IN_PROGRESS,), TaskStatus.CANCELLED),
    ],
)
def test_an_open_task_moves_along_the_allowed_transitions(
    path: tuple[TaskStatus, ...], target: TaskStatus
) -> None:
    moved = move(target, *path)
    assert moved.status == target
    entry = moved.last_entry
    assert entry.action == TaskAction.STATUS_CHANGED
    assert (entry.actor, entry.at) == (BEN, LATER)
    assert entry.changes[0].after == target.value


@pytest.mark.parametrize("closed", sorted(CLOSED))
@pytest.mark.parametrize("target", [TaskStatus.PENDING, TaskStatus.IN_PROGRESS])
def test_a_finished_task_is_not_moved_back_by_a_status_change(
    closed: TaskStatus, target: TaskStatus
) -> None:
    finished, _ = task().moved_to(closed, actor=ANNA, now=NOW, next_task_id="n")
    with pytest.raises(Conflict) as refused:
        finished.moved_to(target, actor=ANNA, now=LATER, next_task_id="n")
    assert f"{closed.value} -> {target.value}" in refused.value.detail
    assert "reopen" in refused.value.detail
    assert refused.value.errors[0].field == "status"


def test_a_completed_task_is_not_cancelled() -> None:
    done, _ = task().moved_to(TaskStatus.COMPLETED, actor=ANNA, now=NOW, next_task_id="n")
    with pytest.raises(Conflict, match="completed -> cancelled"):
        done.moved_to(TaskStatus.CANCELLED, actor=ANNA, now=LATER, next_task_id="n")


def test_the_status_a_task_has_changes_nothing() -> None:
    done, _ = task().moved_to(TaskStatus.COMPLETED, actor=ANNA, now=NOW, next_task_id="n")
    again, upcoming = done.moved_to(TaskStatus.COMPLETED, actor=BEN, now=LATER, next_task_id="n")
    assert again is done
    assert upcoming is None


def test_every_status_has_its_transitions_declared() -> None:
    assert set(ALLOWED) == set(TaskStatus)
    assert all(not ALLOWED[s] for s in CLOSED)


@pytest.mark.parametrize("closed", sorted(CLOSED))
def test_reopening_a_finished_task_is_recorded_as_such(closed: TaskStatus) -> None:
    finished, _ = task().moved_to(closed, actor=ANNA, now=NOW, next_task_id="n")
    reopened = finished.reopened("customer called again", actor=BEN, now=LATER)
    assert reopened.status == TaskStatus.PENDING
    assert reopened.completed_at is None
    entry = reopened.last_entry
    assert entry.action == TaskAction.REOPENED
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("status", closed.value, "pending"),
        ("reason", None, "customer called again"),
    ]
    assert reopened.version == finished.version + 1


@pytest.mark.parametrize("status", [TaskStatus.PENDING, TaskStatus.IN_PROGRESS])
def test_an_open_task_is_not_reopened(status: TaskStatus) -> None:
    current, _ = task().moved_to(status, actor=ANNA, now=NOW, next_task_id="n")
    with pytest.raises(Conflict, match=f"transition {status.value} -> pending by reopening"):
        current.reopened(None, actor=ANNA, now=LATER)


def test_completing_records_when() -> None:
    done, _ = task().moved_to(TaskStatus.COMPLETED, actor=ANNA, now=LATER, next_task_id="n")
    assert done.completed_at == LATER
    cancelled, _ = task().moved_to(TaskStatus.CANCELLED, actor=ANNA, now=LATER, next_task_id="n")
    assert cancelled.completed_at is None

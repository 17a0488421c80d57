"""Creating and changing a task: defaults, field-level history, versions, merge and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.domain.history import Change
from shared.contracts.tasks import TaskAction, TaskPatch, TaskPriority, TaskStatus
from shared.errors import InvalidInput, StaleVersion
from tests.unit.tasks.drafts import ANNA, BEN, NOW, task

LATER = NOW + timedelta(minutes=5)
DUE = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)


def test_a_new_task_is_pending_and_the_creators_unless_assigned() -> None:
    created = task()
    assert (created.status, created.priority) == (TaskStatus.PENDING, TaskPriority.NORMAL)
    assert (created.assignee, created.creator) == ("anna", "anna")
    assert created.version == 1
    assert created.history[0].action == TaskAction.CREATED
    assert task(assignee="ben").assignee == "ben"


def test_a_change_records_each_field_before_and_after() -> None:
    created = task(description="Refund of order 5001")
    changed = created.changed(
        TaskPatch(title="Call back", priority=TaskPriority.URGENT, due_at=DUE),
        ("description",),
        actor=BEN,
        now=LATER,
    )
    assert changed.version == 2
    assert changed.updated_at == LATER
    entry = changed.last_entry
    assert (entry.action, entry.actor, entry.at, entry.version) == (
        TaskAction.CHANGED,
        BEN,
        LATER,
        2,
    )
    assert entry.changes == (
        Change("title", "Call back about the refund", "Call back"),
        Change("description", "Refund of order 5001", None),
        Change("due_at", None, DUE),
        Change("priority", "normal", "urgent"),
    )


def test_a_change_to_the_same_values_is_no_change() -> None:
    created = task(priority="high")
    assert created.changed(TaskPatch(priority=TaskPriority.HIGH), (), actor=BEN, now=LATER) is (
        created
    )


def test_a_field_set_and_cleared_at_once_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"set\.due_at: both set and cleared"):
        task().changed(TaskPatch(due_at=DUE), ("due_at",), actor=BEN, now=LATER)


def test_a_stale_version_is_refused() -> None:
    created = task()
    created.check_version(1)
    created.check_version(None)
    with pytest.raises(StaleVersion, match="version 1, not 3"):
        created.check_version(3)


def test_reassigning_is_recorded_with_both_assignees() -> None:
    reassigned = task().reassigned("ben", actor=ANNA, now=LATER)
    assert reassigned.assignee == "ben"
    assert reassigned.last_entry.action == TaskAction.REASSIGNED
    assert reassigned.last_entry.changes == (Change("assignee", "anna", "ben"),)
    assert reassigned.reassigned("ben", actor=ANNA, now=LATER) is reassigned


def test_a_comment_is_kept_with_its_author_and_named_in_the_history() -> None:
    commented = task().commented("c1", "Customer prefers mornings", actor=BEN, now=LATER)
    (comment,) = commented.comments
    assert (comment.id, comment.author, comment.at, comment.text) == (
        "c1",
        BEN,
        LATER,
        "Customer prefers mornings",
    )
    assert commented.last_entry.changes == (Change("comments", None, "c1"),)


def test_a_merge_moves_the_task_to_the_master() -> None:
    moved = task(customer_id="dup").moved_to_customer("master", actor=ANNA, now=LATER)
    assert moved.customer_id == "master"
    assert moved.last_entry.action == TaskAction.CUSTOMER_MERGED
    assert moved.last_entry.changes == (Change("customer_id", "dup", "master"),)


def test_erasure_removes_the_text_and_keeps_who_did_what_and_when() -> None:
    created = task(
        customer_id="c1",
        description="Anna Schmidt, Hauptstraße 5",
        next_action="Ask for the new address",
        due_at=DUE,
        recurrence={"every": 1, "unit": "weeks"},
    )
    worked = created.changed(
        TaskPatch(title="Call Anna Schmidt"), (), actor=BEN, now=LATER
    ).commented("c1", "She moved to Munich", actor=BEN, now=LATER)
    erased = worked.erased(actor=ANNA, now=LATER + timedelta(days=1))
    assert (erased.title, erased.description, erased.next_action) == (None, None, None)
    assert [c.text for c in erased.comments] == [None]
    assert erased.recurrence is None
    assert erased.erased_at == LATER + timedelta(days=1)
    # The history keeps who did what and when, without the words.
    assert [(e.action, e.actor, e.at) for e in erased.history] == [
        (TaskAction.CREATED, ANNA, NOW),
        (TaskAction.CHANGED, BEN, LATER),
        (TaskAction.COMMENTED, BEN, LATER),
        (TaskAction.ERASED, ANNA, LATER + timedelta(days=1)),
    ]
    assert erased.history[1].changes == (Change("title"),)
    assert erased.history[2].changes == (Change("comments", None, "c1"),)
    assert [c.field for c in erased.last_entry.changes] == [
        "description",
        "next_action",
        "title",
        "comments",
    ]
    assert "Anna" not in repr(erased)
    assert erased.erased(actor=ANNA, now=LATER) is erased


def test_an_erased_customers_open_task_stays_open_with_its_deadline() -> None:
    erased = task(customer_id="c1", due_at=DUE, reminders=("PT1H",)).erased(actor=ANNA, now=NOW)
    assert erased.status == TaskStatus.PENDING
    assert erased.due_at == DUE
    assert len(erased.alarms) == 2

"""Whose tasks `me` means, and how a JSON merge patch of a task becomes set-and-clear."""

from __future__ import annotations

import pytest

from services.gateway.use_cases.tasks import assignee_of, task_change
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import TaskPatch, TaskPriority
from shared.errors import InvalidInput

CALLER = Actor(type=ActorType.SUPPORTER, id="anna")


def test_me_is_the_caller_and_any_other_principal_is_itself() -> None:
    assert assignee_of("me", CALLER) == "anna"
    assert assignee_of("key-ben", CALLER) == "key-ben"
    assert assignee_of(None, CALLER) is None


def test_nulls_clear_fields_and_values_are_set() -> None:
    patch = TaskPatch.model_validate(
        {"priority": "urgent", "next_action": None, "reminders": None, "assignee": "me"}
    )
    change = task_change("t1", patch, CALLER, expected_version=3)
    assert change.clear == ("next_action", "reminders")
    assert (change.set.priority, change.set.assignee) == (TaskPriority.URGENT, "anna")
    assert (change.task_id, change.expected_version, change.actor) == ("t1", 3, CALLER)


def test_a_field_that_cannot_be_cleared_is_refused_by_name() -> None:
    patch = TaskPatch.model_validate({"title": None, "priority": None, "due_at": None})
    with pytest.raises(InvalidInput) as refused:
        task_change("t1", patch, CALLER, expected_version=None)
    assert [e.field for e in refused.value.errors] == ["priority", "title"]


def test_the_same_idempotency_key_makes_the_same_change_message() -> None:
    patch = TaskPatch(title="Call back")
    first, again = (task_change("t1", patch, CALLER, None, "key-123456") for _ in range(2))
    other = task_change("t1", patch, CALLER, None, "key-654321")
    assert first.message_id == again.message_id != other.message_id

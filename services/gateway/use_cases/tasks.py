"""What the task endpoints do beyond passing a request on: whose tasks `me` means, and how a
JSON merge patch becomes the tasks service's set-and-clear change."""

from __future__ import annotations

from typing import get_args

from services.gateway.use_cases.commands import command
from shared.contracts.envelope import Actor
from shared.contracts.replies import FieldError
from shared.contracts.tasks import ChangeTask, ClearableTaskField, TaskPatch
from shared.errors import InvalidRequest

ME = "me"
_CLEARABLE = frozenset(get_args(ClearableTaskField))


def assignee_of(requested: str | None, caller: Actor) -> str | None:
    """`me` is the caller's own principal; anything else is the principal named."""
    return caller.id if requested == ME else requested


def task_change(
    task_id: str,
    patch: TaskPatch,
    caller: Actor,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> ChangeTask:
    """A field sent as null is cleared; a field that cannot be cleared is refused by name."""
    nulls = sorted(f for f in patch.model_fields_set if getattr(patch, f) is None)
    refused = [f for f in nulls if f not in _CLEARABLE]
    if refused:
        raise InvalidRequest(
            [FieldError(field=f, message="cannot be null") for f in refused],
            "these fields cannot be cleared",
        )
    given = patch.model_copy(update={"assignee": assignee_of(patch.assignee, caller)})
    return command(
        ChangeTask,
        caller,
        idempotency_key,
        task_id=task_id,
        set=given,
        clear=tuple(nulls),
        expected_version=expected_version,
    )

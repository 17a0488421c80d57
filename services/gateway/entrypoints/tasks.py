"""Task endpoints of the public API: follow-ups with an assignee, a deadline and reminders.
The tasks service decides (transitions, versions, reminders); these routes translate HTTP."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import ConfigDict, Field

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.dependencies import (
    Caller,
    CustomerId,
    ExpectedVersion,
    IdempotencyKey,
    ItemId,
    ServicesDep,
    Viewer,
    allowed,
    documented_clearing_only,
)
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.tasks import assignee_of, task_change
from shared.contracts import tasks as t
from shared.contracts.envelope import ISO_8601, Contract

TaskId = ItemId
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[t.Cursor | None, Query()]

router = APIRouter(tags=["tasks"])
# Tasks are a field group of their own: who may read them, who may create and change them.
_READ = [allowed(reads=(FieldGroup.TASKS,))]
_WRITE = [allowed(writes=(FieldGroup.TASKS,))]


class TaskChanges(t.TaskPatch):
    """A task's JSON merge patch; its title, assignee and priority cannot be cleared."""

    model_config = ConfigDict(
        json_schema_extra=documented_clearing_only(frozenset(get_args(t.ClearableTaskField)))
    )


class StatusChange(Contract):
    status: t.TaskStatus


class Reopening(Contract):
    reason: Annotated[str, Field(max_length=500)] | None = None


class NewComment(Contract):
    text: t.CommentText


@router.post("/v1/tasks", status_code=status.HTTP_201_CREATED, dependencies=_WRITE)
async def create_task(
    draft: t.TaskDraft,
    caller: Caller,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> t.TaskView:
    """Without an assignee the task is the caller's; `"assignee": "me"` says so explicitly."""
    draft = draft.model_copy(update={"assignee": assignee_of(draft.assignee, caller)})
    create = command(t.CreateTask, caller, idempotency_key, task=draft)
    return _versioned(await services.ask("tasks", create, t.TaskView), response)


@router.get("/v1/tasks", dependencies=_READ)
async def find_tasks(
    caller: Caller,
    services: ServicesDep,
    assignee: Annotated[t.Principal | None, Query(description="a principal, or `me`")] = None,
    status: Annotated[list[t.TaskStatus] | None, Query()] = None,
    priority: Annotated[list[t.TaskPriority] | None, Query()] = None,
    customer: Annotated[t.Id | None, Query()] = None,
    overdue: bool | None = None,
    due_before: Annotated[t.Deadline | None, ISO_8601, Query()] = None,
    due_after: Annotated[t.Deadline | None, ISO_8601, Query()] = None,
    sort: t.TaskSort = t.TaskSort.DEADLINE,
    descending: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> t.TaskPage:
    """Filters combine; `status` and `priority` repeat (any of them)."""
    query = t.FindTasks(
        assignee=assignee_of(assignee, caller),
        status=tuple(status or ()),
        priority=tuple(priority or ()),
        customer_id=customer,
        overdue=overdue,
        due_before=due_before,
        due_after=due_after,
        sort=sort,
        descending=descending,
        limit=limit,
        cursor=cursor,
        actor=caller,
    )
    return await services.ask("tasks", query, t.TaskPage)


@router.get("/v1/tasks/{task_id}", dependencies=_READ)
async def get_task(
    task_id: TaskId, caller: Caller, services: ServicesDep, response: Response
) -> t.TaskView:
    """The task; its version is the `ETag` (for `If-Match` on a change)."""
    view = await services.ask("tasks", t.GetTask(task_id=task_id, actor=caller), t.TaskView)
    return _versioned(view, response)


@router.patch("/v1/tasks/{task_id}", dependencies=_WRITE)
async def change_task(
    task_id: TaskId,
    patch: TaskChanges,
    caller: Caller,
    services: ServicesDep,
    expected_version: ExpectedVersion,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> t.TaskView:
    """JSON merge patch: null clears a field; `reminders` replaces the list; the assignee may
    be `me`. A stale `If-Match` is a 409."""
    change = task_change(task_id, patch, caller, expected_version, idempotency_key)
    return _versioned(await services.ask("tasks", change, t.TaskView), response)


@router.post("/v1/tasks/{task_id}/status", dependencies=_WRITE)
async def change_status(
    task_id: TaskId,
    body: StatusChange,
    caller: Caller,
    services: ServicesDep,
    expected_version: ExpectedVersion,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> t.TaskView:
    """Along an allowed transition only (409 naming it otherwise); completing a recurring task
    creates the next one (`next_task_id`)."""
    move = command(
        t.ChangeTaskStatus,
        caller,
        idempotency_key,
        task_id=task_id,
        status=body.status,
        expected_version=expected_version,
    )
    return _versioned(await services.ask("tasks", move, t.TaskView), response)


@router.post("/v1/tasks/{task_id}/reopen", dependencies=_WRITE)
async def reopen_task(
    task_id: TaskId,
    caller: Caller,
    services: ServicesDep,
    expected_version: ExpectedVersion,
    response: Response,
    body: Annotated[Reopening | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> t.TaskView:
    """A completed or cancelled task back to `pending`, recorded as a reopening."""
    reopen = command(
        t.ReopenTask,
        caller,
        idempotency_key,
        task_id=task_id,
        reason=body.reason if body else None,
        expected_version=expected_version,
    )
    return _versioned(await services.ask("tasks", reopen, t.TaskView), response)


@router.post(
    "/v1/tasks/{task_id}/comments", status_code=status.HTTP_201_CREATED, dependencies=_WRITE
)
async def comment_on_task(
    task_id: TaskId,
    body: NewComment,
    caller: Caller,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> t.TaskView:
    comment = command(t.CommentOnTask, caller, idempotency_key, task_id=task_id, text=body.text)
    return _versioned(await services.ask("tasks", comment, t.TaskView), response)


@router.get("/v1/tasks/{task_id}/history", dependencies=_READ)
async def task_history(
    task_id: TaskId, caller: Caller, services: ServicesDep, limit: Limit = 50, cursor: Cursor = None
) -> t.TaskHistoryPage:
    """Who changed what and when, newest first."""
    query = t.GetTaskHistory(task_id=task_id, limit=limit, cursor=cursor, actor=caller)
    return await services.ask("tasks", query, t.TaskHistoryPage)


@router.get("/v1/customers/{customer_id}/tasks", dependencies=_READ)
async def customer_tasks(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> t.TaskPage:
    """The customer's open tasks, earliest deadline first."""
    query = t.GetCustomerTasks(customer_id=customer_id, limit=limit, cursor=cursor, actor=caller)
    page = await services.ask("tasks", query, t.TaskPage)
    await viewer.record(customer_id, "tasks", bool(page.items))
    return page


def _versioned(view: t.TaskView, response: Response) -> t.TaskView:
    response.headers["ETag"] = f'"{view.version}"'
    return view

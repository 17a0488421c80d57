"""Console pages of tasks: the caller's own (open ones by deadline), creating one, moving one
along its statuses; the caller's notifications beside them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    ScreensDep,
    SignedInCaller,
    choice,
    first,
    given,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.commands import command
from shared.contracts import tasks as t
from shared.contracts.envelope import Id
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput

router = APIRouter(prefix=f"{PREFIX}/tasks", route_class=ConsoleRoute, include_in_schema=False)


@router.get("", dependencies=[allowed(reads=(FieldGroup.TASKS,))])
async def my_tasks(
    request: Request,
    caller: SignedInCaller,
    screens: ScreensDep,
    status: Annotated[list[t.TaskStatus] | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    team: bool = False,
    board: bool = False,
) -> HTMLResponse:
    """A list by deadline, or a board: a column per status (all of them)."""
    shown = list(t.TaskStatus) if board else status or ()
    tasks, notifications = await screens.tasks(caller, shown, cursor, team=team)
    columns = {s.value: [task for task in tasks.items if task.status is s] for s in t.TaskStatus}
    return page(
        request,
        "tasks.html",
        tasks=tasks,
        team=team,
        board=board,
        columns=columns,
        notifications=notifications,
        shown=[s.value for s in status or ()] if not board else [],
        statuses=[s.value for s in t.TaskStatus],
        priorities=[p.value for p in t.TaskPriority],
        customer_id=request.query_params.get("customer", ""),
    )


def _deadline(value: str | None) -> datetime | None:
    """`datetime-local` gives no zone: the console's times are UTC, as it shows them."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput([FieldError(field="due_at", message="not a date and time")]) from None


@router.post("", dependencies=[allowed(writes=(FieldGroup.TASKS,))])
async def create_task(caller: SignedInCaller, screens: ScreensDep, form: Form) -> RedirectResponse:
    caller.grants.require_writes({"tasks": FieldGroup.TASKS})
    draft = t.TaskDraft(
        title=given(form, "title") or "",
        description=given(form, "description"),
        customer_id=given(form, "customer_id"),
        due_at=_deadline(given(form, "due_at")),
        priority=choice(t.TaskPriority, given(form, "priority") or "normal", "priority"),
        assignee=caller.principal.actor.id,
    )
    create = command(
        t.CreateTask, caller.principal.actor, given(form, "idempotency_key"), task=draft
    )
    await screens.services.ask("tasks", create, t.TaskView)
    back = first(form, "back") or ""
    target = back if back.startswith(f"{PREFIX}/customers/") else f"{PREFIX}/tasks"
    return RedirectResponse(target, status_code=303)


@router.post("/{task_id}/status", dependencies=[allowed(writes=(FieldGroup.TASKS,))])
async def change_status(
    task_id: Annotated[Id, Path()], caller: SignedInCaller, screens: ScreensDep, form: Form
) -> RedirectResponse:
    caller.grants.require_writes({"tasks": FieldGroup.TASKS})
    version = given(form, "version")
    move = command(
        t.ChangeTaskStatus,
        caller.principal.actor,
        None,
        task_id=task_id,
        status=choice(t.TaskStatus, given(form, "status"), "status"),
        expected_version=int(version) if version and version.isdigit() else None,
    )
    await screens.services.ask("tasks", move, t.TaskView)
    return RedirectResponse(f"{PREFIX}/tasks", status_code=303)

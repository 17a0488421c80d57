"""Console pages of tasks: the caller's own (open ones by deadline), creating one (with its
reminders and recurrence; a refused value shown beside its field), moving one along its
statuses; the caller's notifications beside them, and marking them read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    EditsDep,
    Form,
    FormData,
    ScreensDep,
    SignedInCaller,
    choice,
    first,
    given,
    page,
    problem_of_error,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.console_screens import Screens
from services.gateway.use_cases.ports import Refused
from services.gateway.use_cases.tasks import task_change
from shared.contracts import tasks as t
from shared.contracts.envelope import Id
from shared.contracts.replies import FieldError
from shared.errors import DomainError, InvalidInput

router = APIRouter(prefix=f"{PREFIX}/tasks", route_class=ConsoleRoute, include_in_schema=False)
NOTIFICATIONS = f"{PREFIX}/tasks/notifications"
STALE = (
    "Someone changed this task meanwhile. The form now shows their version: "
    "check it and make your change again."
)
# Reminders offered as choices: ISO 8601 durations before the deadline, as the tasks API takes.
REMINDERS = (
    ("PT15M", "15 minutes before"),
    ("PT1H", "1 hour before"),
    ("P1D", "1 day before"),
    ("P1W", "1 week before"),
)


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
    return await _tasks_page(request, caller, screens, status or (), cursor, team=team, board=board)


async def _tasks_page(
    request: Request,
    caller: Caller,
    screens: Screens,
    status: Sequence[t.TaskStatus],
    cursor: str | None,
    *,
    team: bool = False,
    board: bool = False,
    values: FormData | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    shown = list(t.TaskStatus) if board else status
    tasks, notifications = await screens.tasks(caller, shown, cursor, team=team)
    columns = {s.value: [task for task in tasks.items if task.status is s] for s in t.TaskStatus}
    return page(
        request,
        "tasks.html",
        status_code=status_code,
        tasks=tasks,
        team=team,
        board=board,
        columns=columns,
        notifications=notifications,
        shown=[s.value for s in status] if not board else [],
        statuses=[s.value for s in t.TaskStatus],
        priorities=[p.value for p in t.TaskPriority],
        units=[u.value for u in t.RecurrenceUnit],
        reminder_choices=REMINDERS,
        customer_id=request.query_params.get("customer", ""),
        values=values or {},
        errors=errors or {},
    )


def _moment(value: str | None, field: str = "due_at") -> datetime | None:
    """`datetime-local` gives no zone: the console's times are UTC, as it shows them."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput([FieldError(field=field, message="not a date and time")]) from None


def _reminders(form: FormData) -> tuple[str, ...]:
    """The durations ticked, and a moment given in UTC, as the tasks API takes reminders."""
    chosen = [r for r in form.get("reminder", ()) if r.strip()]
    at = _moment(given(form, "remind_at"), "remind_at")
    return (*chosen, at.isoformat()) if at else tuple(chosen)


def _recurrence(form: FormData) -> t.Recurrence | None:
    unit = given(form, "repeat")
    if unit is None:
        return None
    every = given(form, "every") or "1"
    if not every.isdigit():
        raise InvalidInput([FieldError(field="every", message="a whole number")])
    return t.Recurrence(every=int(every), unit=choice(t.RecurrenceUnit, unit, "repeat"))


def _field_of(error: FieldError) -> str:
    """The form's field an error is about: `task.reminders.1` -> `reminders`,
    `task.recurrence` -> `repeat`, `set.title` -> `title`."""
    parts = [p for p in error.field.split(".") if p not in ("task", "set")]
    name = parts[0] if parts else "form"
    return "repeat" if name == "recurrence" else name


@router.post("", dependencies=[allowed(writes=(FieldGroup.TASKS,))])
async def create_task(
    request: Request, caller: SignedInCaller, screens: ScreensDep, form: Form
) -> Response:
    caller.grants.require_writes({"tasks": FieldGroup.TASKS})
    try:
        draft = t.TaskDraft(
            title=given(form, "title") or "",
            description=given(form, "description"),
            customer_id=given(form, "customer_id"),
            due_at=_moment(given(form, "due_at")),
            priority=choice(t.TaskPriority, given(form, "priority") or "normal", "priority"),
            assignee=caller.principal.actor.id,
            reminders=_reminders(form),
            recurrence=_recurrence(form),
        )
        create = command(
            t.CreateTask, caller.principal.actor, given(form, "idempotency_key"), task=draft
        )
        await screens.services.ask("tasks", create, t.TaskView)
    except (Refused, DomainError, ValidationError) as error:
        problem = problem_of_error(error)
        if problem is None or problem.status != 422:
            raise
        errors = {_field_of(e): e.message for e in problem.errors}
        return await _tasks_page(
            request,
            caller,
            screens,
            (),
            None,
            values=form,
            errors=errors or {"form": problem.detail or problem.title},
            status_code=422,
        )
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


@router.get("/notifications", dependencies=[allowed(reads=(FieldGroup.TASKS,))])
async def notifications(
    request: Request,
    caller: SignedInCaller,
    edits: EditsDep,
    unread: bool = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    """The caller's notifications, newest first; the unread ones marked and markable read."""
    listed = await edits.notifications(caller, cursor, unread_only=unread)
    return page(request, "notifications.html", notifications=listed, unread=unread)


@router.post("/notifications/read", dependencies=[allowed(reads=(FieldGroup.TASKS,))])
async def mark_read(caller: SignedInCaller, edits: EditsDep, form: Form) -> RedirectResponse:
    """The notifications named (`id`), or every unread one (`all`); back where it was asked."""
    ids = None if given(form, "all") else [i for i in form.get("id", ()) if i]
    if ids is not None and not ids:
        raise InvalidInput([FieldError(field="id", message="choose a notification")])
    await edits.mark_read(caller, ids)
    back = first(form, "back") or ""
    return RedirectResponse(
        back if back.startswith(f"{PREFIX}/tasks") else NOTIFICATIONS, status_code=303
    )


async def _task_page(
    request: Request,
    caller: Caller,
    screens: Screens,
    task_id: str,
    *,
    values: FormData | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    caller.grants.require_read(FieldGroup.TASKS)
    query = t.GetTask(task_id=task_id, actor=caller.principal.actor)
    task = await screens.services.ask("tasks", query, t.TaskView)
    chosen = [spec for spec, _ in REMINDERS]
    return page(
        request,
        "task.html",
        status_code=status_code,
        task=task,
        # The task's reminders beyond the offered choices, each shown to keep or drop.
        other_reminders=[r for r in task.reminders if r.spec not in chosen],
        reminder_choices=REMINDERS,
        priorities=[p.value for p in t.TaskPriority],
        units=[u.value for u in t.RecurrenceUnit],
        values=values,
        errors=errors or {},
        notice=notice,
        utc=UTC,
    )


@router.get("/{task_id}", dependencies=[allowed(reads=(FieldGroup.TASKS,))])
async def task(
    request: Request, task_id: Annotated[Id, Path()], caller: SignedInCaller, screens: ScreensDep
) -> HTMLResponse:
    """A task with its reminders, series and comments, and the form that changes it."""
    return await _task_page(request, caller, screens, task_id)


@router.post("/{task_id}", dependencies=[allowed(writes=(FieldGroup.TASKS,))])
async def change_task(
    request: Request,
    task_id: Annotated[Id, Path()],
    caller: SignedInCaller,
    screens: ScreensDep,
    form: Form,
) -> Response:
    """Every field as the form shows it, at the version it was read at: a blank one cleared
    (the title cannot be), the reminders replaced by those ticked."""
    caller.grants.require_writes({"tasks": FieldGroup.TASKS})
    version = given(form, "version")
    try:
        patch = t.TaskPatch(
            title=given(form, "title"),
            description=given(form, "description"),
            due_at=_moment(given(form, "due_at")),
            priority=choice(t.TaskPriority, given(form, "priority") or "normal", "priority"),
            next_action=given(form, "next_action"),
            reminders=_reminders(form),
            recurrence=_recurrence(form),
        )
        change = task_change(
            task_id,
            patch,
            caller.principal.actor,
            int(version) if version and version.isdigit() else None,
            given(form, "idempotency_key"),
        )
        await screens.services.ask("tasks", change, t.TaskView)
    except (Refused, DomainError, ValidationError) as error:
        problem = problem_of_error(error)
        if problem is None or problem.status not in (409, 422):
            raise
        errors = {_field_of(e): e.message for e in problem.errors}
        if problem.status == 409 and "expected_version" in errors:
            # Their version, not the one this form was filled in on.
            return await _task_page(
                request, caller, screens, task_id, notice=STALE, status_code=409
            )
        return await _task_page(
            request,
            caller,
            screens,
            task_id,
            values=form,
            errors=errors or {"form": problem.detail or problem.title},
            status_code=problem.status,
        )
    return RedirectResponse(f"{PREFIX}/tasks/{task_id}", status_code=303)

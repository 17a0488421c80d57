"""Creating and changing tasks: the commands a caller sends and waits for the outcome of.

Each change runs once per message id (the unit of work's inbox): the same request sent again
changes nothing twice and is answered with the task as it is now. The inbox remembers only the
task's id, not the task: what it would keep of its text must not outlive an erasure. The reply
is the changed task with its new version, the value a caller sends back as `If-Match`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.tasks.domain.task import Task
from services.tasks.use_cases.events import events_of
from services.tasks.use_cases.ports import Changes, Clock, Customers, Session, Tasks
from services.tasks.use_cases.saving import TaskWriter
from services.tasks.use_cases.views import task_view
from shared.contracts.customers import CustomerStatus
from shared.contracts.envelope import Event, Message
from shared.contracts.tasks import (
    ChangeTask,
    ChangeTaskStatus,
    CommentOnTask,
    CreateTask,
    ReassignTask,
    ReopenTask,
    TaskView,
)
from shared.errors import Conflict, NotFound, field_error
from shared.mongo import Document
from shared.unit_of_work import Outcome

# A change of one task: the task before -> the task after, and a new task it made (a series).
Edit = Callable[[Task, datetime], tuple[Task, Task | None]]


@dataclass
class TaskChanges:
    tasks: Tasks
    writer: TaskWriter
    customers: Customers
    changes: Changes
    clock: Clock
    new_id: Callable[[], str]

    async def create(self, command: CreateTask) -> TaskView:
        draft = command.task
        customer_id = await self._customer(draft.customer_id, field="task.customer_id")

        async def change(session: Session) -> Outcome[TaskView]:
            now = self.clock()
            task = Task.create(
                task_id=self.new_id(),
                draft=draft,
                customer_id=customer_id,
                actor=command.actor,
                now=now,
            )
            await self.writer.save(None, task, session=session)
            return _answer(task, now, events_of(task, command))

        return await self.changes.run(command, change, repeated=self._repeated)

    async def change(self, command: ChangeTask) -> TaskView:
        patch = command.set
        if patch.customer_id is not None:
            master = await self._customer(patch.customer_id, field="set.customer_id")
            patch = patch.model_copy(update={"customer_id": master})

        def edit(task: Task, now: datetime) -> tuple[Task, Task | None]:
            return task.changed(patch, command.clear, actor=command.actor, now=now), None

        return await self._edit(command, command.task_id, command.expected_version, edit)

    async def reassign(self, command: ReassignTask) -> TaskView:
        def edit(task: Task, now: datetime) -> tuple[Task, Task | None]:
            return task.reassigned(command.assignee, actor=command.actor, now=now), None

        return await self._edit(command, command.task_id, command.expected_version, edit)

    async def change_status(self, command: ChangeTaskStatus) -> TaskView:
        def edit(task: Task, now: datetime) -> tuple[Task, Task | None]:
            return task.moved_to(
                command.status, actor=command.actor, now=now, next_task_id=self.new_id()
            )

        return await self._edit(command, command.task_id, command.expected_version, edit)

    async def reopen(self, command: ReopenTask) -> TaskView:
        def edit(task: Task, now: datetime) -> tuple[Task, Task | None]:
            return task.reopened(command.reason, actor=command.actor, now=now), None

        return await self._edit(command, command.task_id, command.expected_version, edit)

    async def comment(self, command: CommentOnTask) -> TaskView:
        def edit(task: Task, now: datetime) -> tuple[Task, Task | None]:
            return task.commented(self.new_id(), command.text, actor=command.actor, now=now), None

        return await self._edit(command, command.task_id, None, edit)

    async def _edit(
        self, command: Message, task_id: str, expected_version: int | None, edit: Edit
    ) -> TaskView:
        async def change(session: Session) -> Outcome[TaskView]:
            task = await self.tasks.get(task_id, session=session)
            if task is None:
                raise NotFound("Task", f"no task {task_id}")
            task.check_version(expected_version)
            now = self.clock()
            changed, upcoming = edit(task, now)
            if changed is task:
                return _answer(task, now, [])
            await self.writer.save(task, changed, session=session)
            events = events_of(changed, command)
            if upcoming is not None:
                await self.writer.save(None, upcoming, session=session)
                events += events_of(upcoming, command)
            return _answer(changed, now, events)

        return await self.changes.run(command, change, repeated=self._repeated)

    async def _repeated(self, earlier: Document, session: Session) -> TaskView:
        task_id = earlier["result"]["task_id"]
        task = await self.tasks.get(task_id, session=session)
        if task is None:
            raise NotFound("Task", f"no task {task_id}")
        return task_view(task, self.clock())

    async def _customer(self, customer_id: str | None, *, field: str) -> str | None:
        """The customer a task may refer to: a known one, the master of a merged one."""
        if customer_id is None:
            return None
        customer_id = await self.customers.master_of(customer_id) or customer_id
        customer = await self.customers.get(customer_id)
        if customer is None:
            raise field_error(field, f"no customer {customer_id} is known to the tasks service")
        if customer.status in (CustomerStatus.ERASED, CustomerStatus.MERGED):
            raise Conflict(f"customer {customer_id} was {customer.status.value}", field=field)
        return customer_id


def _answer(task: Task, now: datetime, events: list[Event]) -> Outcome[TaskView]:
    return Outcome(task_view(task, now), events, remembered={"task_id": task.id})

"""What the tasks service answers about tasks: one task, its history, filtered pages."""

from __future__ import annotations

from dataclasses import dataclass

from services.tasks.use_cases.ports import Clock, Tasks
from services.tasks.use_cases.views import history_view, task_view
from shared.contracts.tasks import (
    OPEN_STATUSES,
    FindTasks,
    GetCustomerTasks,
    GetTask,
    GetTaskHistory,
    TaskHistoryPage,
    TaskPage,
    TaskSort,
    TaskView,
)
from shared.errors import NotFound, field_error


@dataclass
class TaskQueries:
    tasks: Tasks
    clock: Clock

    async def get(self, query: GetTask) -> TaskView:
        task = await self.tasks.get(query.task_id)
        if task is None:
            raise NotFound("Task", f"no task {query.task_id}")
        return task_view(task, self.clock())

    async def history(self, query: GetTaskHistory) -> TaskHistoryPage:
        """Newest first; the cursor is the version the next page starts below."""
        task = await self.tasks.get(query.task_id)
        if task is None:
            raise NotFound("Task", f"no task {query.task_id}")
        below = _version(query.cursor) if query.cursor else task.version + 1
        entries = [e for e in reversed(task.history) if e.version < below]
        page = entries[: query.limit]
        more = len(entries) > query.limit
        return TaskHistoryPage(
            task_id=task.id,
            items=tuple(history_view(e) for e in page),
            next_cursor=str(page[-1].version) if more else None,
        )

    async def find(self, query: FindTasks) -> TaskPage:
        now = self.clock()
        found, cursor = await self.tasks.find(query, now=now)
        return TaskPage(items=tuple(task_view(t, now) for t in found), next_cursor=cursor)

    async def open_tasks_of_customer(self, query: GetCustomerTasks) -> TaskPage:
        return await self.find(
            query.caused(
                FindTasks,
                customer_id=query.customer_id,
                status=OPEN_STATUSES,
                sort=TaskSort.DEADLINE,
                limit=query.limit,
                cursor=query.cursor,
            )
        )


def _version(cursor: str) -> int:
    if not cursor.isdigit() or len(cursor) > 9:
        raise field_error("cursor", "not a cursor this service handed out")
    return int(cursor)

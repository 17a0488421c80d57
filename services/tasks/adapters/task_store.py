"""Tasks in MongoDB: one document per task, its comments and history inside."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.tasks.adapters import paging
from services.tasks.adapters.documents import task_document, task_of
from services.tasks.domain.task import Task
from services.tasks.use_cases.ports import OpenCount, Session, VersionMoved
from shared.contracts.tasks import OPEN_STATUSES, FindTasks, TaskPriority, TaskSort, TaskStatus

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

OPEN = [s.value for s in OPEN_STATUSES]
# Lists and notifications show tasks without their history.
WITHOUT_HISTORY = {"history": 0}
SORTS: dict[TaskSort, tuple[str, ...]] = {
    TaskSort.DEADLINE: ("due_sort", "_id"),
    TaskSort.PRIORITY: ("priority_rank", "due_sort", "_id"),
    TaskSort.CREATED_AT: ("created_at", "_id"),
}


class MongoTasks:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        for sort in SORTS.values():
            await self._collection.create_index([("status", 1), *((f, 1) for f in sort)])
            await self._collection.create_index([("assignee", 1), *((f, 1) for f in sort)])
        await self._collection.create_index([("customer_id", 1), ("status", 1), ("due_sort", 1)])
        await self._collection.create_index([("status", 1), ("completed_at", 1)])

    async def get(self, task_id: str, *, session: Session = None) -> Task | None:
        doc = await self._collection.find_one({"_id": task_id}, session=session)
        return task_of(doc) if doc else None

    async def add(self, task: Task, *, session: Session) -> None:
        await self._collection.insert_one(task_document(task), session=session)

    async def replace(self, task: Task, *, previous_version: int, session: Session) -> None:
        result = await self._collection.replace_one(
            {"_id": task.id, "version": previous_version}, task_document(task), session=session
        )
        if result.matched_count != 1:
            raise VersionMoved(f"task {task.id} is no longer at version {previous_version}")

    async def of_customers(self, customer_ids: Sequence[str], *, session: Session) -> list[Task]:
        cursor = self._collection.find(
            {"customer_id": {"$in": list(customer_ids)}}, session=session
        )
        return [task_of(doc) async for doc in cursor]

    async def by_ids(self, task_ids: Sequence[str]) -> dict[str, Task]:
        cursor = self._collection.find({"_id": {"$in": list(task_ids)}}, WITHOUT_HISTORY)
        return {doc["_id"]: task_of(doc) async for doc in cursor}

    async def find(self, query: FindTasks, *, now: datetime) -> tuple[list[Task], str | None]:
        docs, next_cursor = await paging.page(
            self._collection,
            _filters(query, now),
            SORTS[query.sort],
            cursor=query.cursor,
            descending=query.descending,
            limit=query.limit,
            projection=WITHOUT_HISTORY,
        )
        return [task_of(d) for d in docs], next_cursor

    async def open_counts(self) -> list[OpenCount]:
        cursor = await self._collection.aggregate(
            [
                {"$match": {"status": {"$in": OPEN}}},
                {
                    "$group": {
                        "_id": {"assignee": "$assignee", "priority": "$priority"},
                        "count": {"$sum": 1},
                    }
                },
            ]
        )
        return [
            OpenCount(
                assignee=doc["_id"]["assignee"],
                priority=TaskPriority(doc["_id"]["priority"]),
                count=doc["count"],
            )
            async for doc in cursor
        ]

    async def overdue_count(self, now: datetime) -> int:
        return await self._collection.count_documents(_overdue(now))

    async def completion_spans(self, since: datetime) -> list[tuple[datetime, datetime]]:
        cursor = self._collection.find(
            {"status": TaskStatus.COMPLETED.value, "completed_at": {"$gte": since}},
            {"created_at": 1, "completed_at": 1},
        )
        return [(doc["created_at"], doc["completed_at"]) async for doc in cursor]


def _overdue(now: datetime) -> dict[str, Any]:
    return {"status": {"$in": OPEN}, "due_at": {"$lt": now}}


def _filters(query: FindTasks, now: datetime) -> list[dict[str, Any]]:
    """The narrowest first: a customer's or a person's tasks before the statuses."""
    found: list[dict[str, Any]] = []
    if query.customer_id is not None:
        found.append({"customer_id": query.customer_id})
    if query.assignee is not None:
        found.append({"assignee": query.assignee})
    if query.status:
        found.append({"status": {"$in": [s.value for s in query.status]}})
    if query.priority:
        found.append({"priority": {"$in": [p.value for p in query.priority]}})
    if query.overdue is True:
        found.append(_overdue(now))
    elif query.overdue is False:
        found.append(
            {"$or": [{"status": {"$nin": OPEN}}, {"due_at": None}, {"due_at": {"$gte": now}}]}
        )
    if query.due_before is not None:
        found.append({"due_at": {"$lt": query.due_before}})
    if query.due_after is not None:
        found.append({"due_at": {"$gte": query.due_after}})
    return found

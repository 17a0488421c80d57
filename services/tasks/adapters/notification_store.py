"""Notifications in MongoDB: one per rung alarm, its id the alarm's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.tasks.adapters import paging
from services.tasks.adapters.documents import notification_document, notification_of
from services.tasks.domain.notifications import Notification
from services.tasks.use_cases.ports import Session

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

# Newest first: by when the reminder or deadline was.
NEWEST_FIRST = ("at", "_id")


class MongoNotifications:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("recipient", 1), ("at", -1), ("_id", -1)])
        await self._collection.create_index([("recipient", 1), ("read_at", 1)])

    async def add(self, notification: Notification, *, session: Session) -> None:
        await self._collection.insert_one(notification_document(notification), session=session)

    async def page(
        self, recipient: str, *, unread_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[Notification], str | None]:
        conditions: list[dict[str, Any]] = [{"recipient": recipient}]
        if unread_only:
            conditions.append({"read_at": None})
        if cursor is not None:
            conditions.append(paging.after(cursor, NEWEST_FIRST, descending=True))
        found = (
            self._collection.find({"$and": conditions})
            .sort(paging.order(NEWEST_FIRST, descending=True))
            .limit(limit + 1)
        )
        docs = [doc async for doc in found]
        page = docs[:limit]
        more = len(docs) > limit
        return [notification_of(d) for d in page], (
            paging.cursor_of(page[-1], NEWEST_FIRST) if more else None
        )

    async def unread(self, recipient: str) -> int:
        return await self._collection.count_documents({"recipient": recipient, "read_at": None})

    async def mark_read(
        self, recipient: str, ids: Sequence[str], *, now: datetime, session: Session
    ) -> int:
        result = await self._collection.update_many(
            {"recipient": recipient, "_id": {"$in": list(ids)}, "read_at": None},
            {"$set": {"read_at": now}},
            session=session,
        )
        return result.modified_count

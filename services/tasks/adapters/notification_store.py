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
        filters: list[dict[str, Any]] = [{"recipient": recipient}]
        if unread_only:
            filters.append({"read_at": None})
        docs, next_cursor = await paging.page(
            self._collection,
            filters,
            NEWEST_FIRST,
            cursor=cursor,
            descending=True,
            limit=limit,
        )
        return [notification_of(d) for d in docs], next_cursor

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

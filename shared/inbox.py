"""Idempotent consumers: remember which messages were processed, in the same transaction.

A redelivered or replayed message finds its id here and changes nothing the second time.
Entries expire after `KEEP_PROCESSED_FOR`: far longer than any redelivery or replay window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pymongo.asynchronous.collection import AsyncCollection

    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session

KEEP_PROCESSED_FOR = timedelta(days=30)


class Inbox:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index(
            "processed_at", expireAfterSeconds=int(KEEP_PROCESSED_FOR.total_seconds())
        )

    async def seen(self, message: Message, *, session: Session) -> bool:
        return await self.recall(message, session=session) is not None

    async def recall(self, message: Message, *, session: Session) -> Document | None:
        """The record of an earlier processing of this message, with its `result` if kept."""
        return await self._collection.find_one({"_id": message.message_id}, session=session)

    async def recall_all(
        self, messages: Sequence[Message], *, session: Session
    ) -> dict[str, Document]:
        """`recall` for many messages in one read: message id -> its record, for those seen."""
        ids = list({m.message_id for m in messages})
        cursor = self._collection.find({"_id": {"$in": ids}}, session=session)
        return {doc["_id"]: doc async for doc in cursor}

    async def remember_all(
        self, processed: Sequence[tuple[Message, Any]], *, session: Session
    ) -> None:
        """`remember` for many (message, result) pairs in one write, processed at one time."""
        if processed:
            now = datetime.now(UTC)
            await self._collection.insert_many(
                [_entry(message, result, now) for message, result in processed], session=session
            )

    async def remember(self, message: Message, *, session: Session, result: Any = None) -> None:
        """Record the message as processed; a concurrent twin makes the transaction fail.

        `result` (JSON-compatible) is kept for a command answered over request/reply: the same
        request sent again gets the same answer instead of a second change.
        """
        await self._collection.insert_one(
            _entry(message, result, datetime.now(UTC)), session=session
        )


def _entry(message: Message, result: Any, processed_at: datetime) -> Document:
    entry: Document = {
        "_id": message.message_id,
        "type": message.type,
        "processed_at": processed_at,
    }
    if result is not None:
        entry["result"] = result
    return entry

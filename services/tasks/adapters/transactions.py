"""Changes no message asked for, done at most once per key, with their events (the outbox).

The key of each change done is recorded in the change's own transaction, beside its events:
a second run under the same key (another instance that took over an alarm) finds it and does
nothing. Records are kept as long as the alarm store keeps settled alarms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from shared.mongo import in_transaction

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session
    from shared.outbox import Outbox

KEEP_DONE_FOR = timedelta(days=90)


class OutboxOnceOnly:
    def __init__(
        self,
        client: AsyncMongoClient[Document],
        done: AsyncCollection[Document],
        outbox: Outbox,
    ) -> None:
        self._client = client
        self._done = done
        self._outbox = outbox

    async def ensure_indexes(self) -> None:
        await self._done.create_index(
            "done_at", expireAfterSeconds=int(KEEP_DONE_FOR.total_seconds())
        )

    async def run(self, key: str, change: Callable[[Session], Awaitable[Sequence[Message]]]) -> int:
        async def body(session: Session) -> tuple[int, list[Message]]:
            earlier = await self._done.find_one({"_id": key}, session=session)
            if earlier is not None:
                return int(earlier["events"]), []
            events = await change(session)
            await self._done.insert_one(
                {"_id": key, "events": len(events), "done_at": datetime.now(UTC)}, session=session
            )
            return len(events), await self._outbox.add(events, session=session)

        count, events = await in_transaction(self._client, body)
        await self._outbox.publish_or_defer(events)
        return count

"""A change no message asked for, with its events: both committed or neither (the outbox)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.mongo import in_transaction

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session
    from shared.outbox import Outbox


@dataclass
class OutboxTransactions:
    client: AsyncMongoClient[Document]
    outbox: Outbox

    async def run(self, change: Callable[[Session], Awaitable[Sequence[Message]]]) -> int:
        async def body(session: Session) -> list[Message]:
            return await self.outbox.add(await change(session), session=session)

        events = await in_transaction(self.client, body)
        await self.outbox.publish_or_defer(events)
        return len(events)

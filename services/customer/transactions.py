"""How every change of the customer service runs: once, in one transaction, with its events.

The body reads, decides (pure domain code), writes, and returns what it changed and the events
to publish. The inbox entry and the outbox events are written in the same transaction, so a
message redelivered, or a request sent again with the same id, changes nothing the second time
and gets the same reference back. The body may run several times (the database retries
conflicting transactions): it must have no effects outside the session.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from services.customer.store import StaleRecord
from shared.mongo import in_transaction
from shared.redelivery import TransientFailure

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.envelope import Message
    from shared.inbox import Inbox
    from shared.mongo import Document, Session
    from shared.outbox import Outbox

log = logging.getLogger(__name__)

# Many consumers updating one customer at once (a burst of one buyer's orders) conflict a lot;
# each conflict is cheap to run again, a parked message is not.
CONFLICT_RETRIES = 10


class Contention(TransientFailure):
    """Others kept changing the same records; the message is tried again after a delay."""


@dataclass
class Done:
    """What a change touched (ids, enough to show the result) and the events it publishes."""

    ref: dict[str, str] = field(default_factory=dict)
    # Events, and commands to other services, published after the commit.
    events: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class _Committed:
    ref: dict[str, str]
    events: list[Message]


@dataclass
class Transactions:
    client: AsyncMongoClient[Document]
    inbox: Inbox
    outbox: Outbox

    async def run(
        self, message: Message, body: Callable[[Session], Awaitable[Done]]
    ) -> dict[str, str]:
        """Run `body` for `message` unless it ran before; the reference of what it changed."""

        async def transaction(session: Session) -> _Committed:
            earlier = await self.inbox.recall(message, session=session)
            if earlier is not None:
                log.info("%s %s was processed before", message.type, message.message_id)
                return _Committed(ref=dict(earlier.get("result") or {}), events=[])
            done = await body(session)
            await self.inbox.remember(message, session=session, result=done.ref or None)
            return _Committed(
                ref=done.ref, events=await self.outbox.add(done.events, session=session)
            )

        try:
            committed = await in_transaction(
                self.client,
                transaction,
                conflict_retries=CONFLICT_RETRIES,
                retry_on=(StaleRecord,),
            )
        except (DuplicateKeyError, StaleRecord) as error:
            raise Contention(f"{message.type} kept conflicting: {error}") from error
        await self.outbox.publish_or_defer(committed.events)
        return committed.ref


def reference(**ids: Any) -> dict[str, str]:
    return {k: str(v) for k, v in ids.items() if v is not None}

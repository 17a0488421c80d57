"""A message's change, exactly once, with the events it causes.

The change runs in one transaction with the inbox entry that marks the message as processed and
the outbox entries of its events; the events are published right after the commit (the relay
sends whatever that misses). A message delivered again, or a request sent again with the same id,
finds its inbox entry and gets the answer `repeated` gives, with nothing changed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from shared.mongo import in_transaction

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.envelope import Message
    from shared.inbox import Inbox
    from shared.mongo import Document, Session
    from shared.outbox import Outbox

R = TypeVar("R")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome(Generic[R]):
    result: R
    # Events, and commands to other services, published after the commit.
    events: Sequence[Message] = ()
    # JSON-compatible, kept with the inbox entry: what `repeated` can answer a retry with.
    remembered: Any = None

    @classmethod
    def kept(cls, result: R, events: Sequence[Message] = ()) -> Outcome[R]:
        """An outcome whose result (JSON-compatible) is also what a retry is answered with."""
        return cls(result, events, remembered=result)


async def no_result(_: Document, __: Session) -> None:
    """`repeated` for a change nobody waits on (an event): a repeat is simply skipped."""


async def remembered(earlier: Document, _: Session) -> Any:
    """`repeated` for a change whose caller waits: the result the first run kept, if any."""
    return earlier.get("result")


class ChangeRunner(Protocol):
    """What a use case needs of a unit of work (the in-memory fakes of unit tests have it too)."""

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]] = ...,
    ) -> R: ...


@dataclass
class UnitOfWork:
    client: AsyncMongoClient[Document]
    inbox: Inbox
    outbox: Outbox
    # Conflicting writers are common where many messages change one record (a burst of one
    # buyer's orders, appends to one customer's ledger): running again is cheap, parking is not.
    conflict_retries: int = 3
    retry_on: tuple[type[Exception], ...] = ()

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]] = remembered,
    ) -> R:
        """`change` must have no effects outside the session: the database may run it again.

        A message seen before is answered by `repeated` (by default: what the first run kept).
        """

        async def transaction(session: Session) -> tuple[R, list[Message]]:
            earlier = await self.inbox.recall(message, session=session)
            if earlier is not None:
                log.info("%s %s was processed before", message.type, message.message_id)
                return await repeated(earlier, session), []
            outcome = await change(session)
            await self.inbox.remember(message, session=session, result=outcome.remembered)
            return outcome.result, await self.outbox.add(outcome.events, session=session)

        result, events = await in_transaction(
            self.client,
            transaction,
            conflict_retries=self.conflict_retries,
            retry_on=self.retry_on,
        )
        await self.outbox.publish_or_defer(events)
        return result

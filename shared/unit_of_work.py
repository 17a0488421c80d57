"""A message's change, exactly once, with the events it causes.

The change runs in one transaction with the inbox entry that marks the message as processed and
the outbox entries of its events; the events are published right after the commit (the relay
sends whatever that misses). A message delivered again, or a request sent again with the same id,
finds its inbox entry and gets the answer `repeated` gives, with nothing changed twice.

`run_together` runs the changes of many messages in one transaction (a consumer's micro-batch):
each message's change is the same as alone and sees the changes of the messages before it, the
inbox and the outbox are read and written once for the lot, and all or none of them commit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
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


class BatchRunner(ChangeRunner, Protocol):
    """A unit of work that can also run the changes of many messages in one transaction."""

    async def run_together(
        self, messages: Sequence[Message], body: Callable[[ChangeRunner, Session], Awaitable[R]]
    ) -> R:
        """`body` runs each message's change with the runner it is given (in message order);
        the session is the batch's, for what it reads or writes for all of them."""


@dataclass
class Together:
    """The runner of the messages of one `run_together`: each change runs in the shared session,
    their inbox entries and events are kept to be written once for the lot."""

    session: Session
    # Inbox entries of the messages processed before, and of those processed in this batch.
    earlier: dict[str, Document]
    processed: list[tuple[Message, Any]] = field(default_factory=list)
    events: list[Message] = field(default_factory=list)

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]] = remembered,
    ) -> R:
        earlier = self.earlier.get(message.message_id)
        if earlier is not None:
            log.info("%s %s was processed before", message.type, message.message_id)
            return await repeated(earlier, self.session)
        outcome = await change(self.session)
        # A twin later in the same batch is a repeat of this one.
        self.earlier[message.message_id] = {"_id": message.message_id, "result": outcome.remembered}
        self.processed.append((message, outcome.remembered))
        self.events += outcome.events
        return outcome.result


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

    async def run_together(
        self, messages: Sequence[Message], body: Callable[[ChangeRunner, Session], Awaitable[R]]
    ) -> R:
        """Many messages' changes in one transaction; see the module's docstring.

        Like `change` in `run`, `body` may run again and must have no effects outside the
        session; its runner is fresh each time.
        """

        async def transaction(session: Session) -> tuple[R, list[Message]]:
            together = Together(session, await self.inbox.recall_all(messages, session=session))
            result = await body(together, session)
            await self.inbox.remember_all(together.processed, session=session)
            return result, await self.outbox.add(together.events, session=session)

        result, events = await in_transaction(
            self.client,
            transaction,
            conflict_retries=self.conflict_retries,
            retry_on=self.retry_on,
        )
        await self.outbox.publish_or_defer(events)
        return result

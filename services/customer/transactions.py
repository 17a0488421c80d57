"""How every change of the customer service runs: once, in one transaction, with its events.

The body reads, decides (pure domain code), writes, and returns what it changed and the events
to publish. The inbox entry and the outbox events are written in the same transaction, so a
message redelivered, or a request sent again with the same id, changes nothing the second time
and gets the same reference back. The body may run several times (the database retries
conflicting transactions): it must have no effects outside the session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.unit_of_work import Outcome, UnitOfWork

if TYPE_CHECKING:
    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session
    from shared.outbox import Outbox

# Many consumers updating one customer at once (a burst of one buyer's orders) conflict a lot;
# each conflict is cheap to run again, a parked message is not.
CONFLICT_RETRIES = 10


@dataclass
class Done:
    """What a change touched (ids, enough to show the result) and the events it publishes."""

    ref: dict[str, str] = field(default_factory=dict)
    # Events, and commands to other services, published after the commit.
    events: list[Message] = field(default_factory=list)


@dataclass
class Transactions:
    """The customer service's use of the suite's unit of work: every change answers with the
    ids of what it touched, kept in the inbox for a request sent again."""

    unit: UnitOfWork

    @property
    def outbox(self) -> Outbox:
        return self.unit.outbox

    async def run(
        self, message: Message, body: Callable[[Session], Awaitable[Done]]
    ) -> dict[str, str]:
        """Run `body` for `message` unless it ran before; the reference of what it changed."""

        async def change(session: Session) -> Outcome[dict[str, str]]:
            done = await body(session)
            return Outcome(done.ref, done.events, remembered=done.ref or None)

        async def repeated(earlier: Document, _: Session) -> dict[str, str]:
            return dict(earlier.get("result") or {})

        return await self.unit.run(message, change, repeated=repeated)


def reference(**ids: Any) -> dict[str, str]:
    return {k: str(v) for k, v in ids.items() if v is not None}

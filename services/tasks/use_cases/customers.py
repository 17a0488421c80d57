"""Customers' lives change under their tasks: merges, erasure, and everything else they go
through, as the customer service reports it.

- a merge moves the absorbed customers' tasks to the master, and later tasks for an absorbed
  customer land on the master too;
- an erasure removes the text of the customer's tasks (and the sent events that carried it);
  the history keeps who did what and when;
- a disabled customer's open tasks stay open: the follow-up may be exactly about that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.tasks.use_cases.events import events_of
from services.tasks.use_cases.ports import Changes, Clock, Customers, SentEvents, Session, Tasks
from services.tasks.use_cases.saving import TaskWriter
from shared.contracts.customers import (
    CustomerCreated,
    CustomerDisabled,
    CustomerEnabled,
    CustomerErased,
    CustomersMerged,
    CustomerUpdated,
)
from shared.contracts.envelope import Event
from shared.unit_of_work import Outcome, no_result

CustomerNews = CustomerCreated | CustomerUpdated | CustomerDisabled | CustomerEnabled


@dataclass
class CustomerLives:
    tasks: Tasks
    writer: TaskWriter
    customers: Customers
    sent_events: SentEvents
    changes: Changes
    clock: Clock

    async def learn(self, event: CustomerNews) -> bool:
        """Keep the directory current (version-guarded, so it needs no inbox)."""
        return await self.customers.apply(event.customer)

    async def learn_many(self, events: Sequence[CustomerNews]) -> list[None]:
        """`learn` for a consumer's micro-batch, in one write."""
        await self.customers.apply_many([e.customer for e in events])
        return [None] * len(events)

    async def merged(self, event: CustomersMerged) -> None:
        await self.customers.apply(event.master)
        master_id = event.master.customer_id
        absorbed = [i for i in dict.fromkeys(event.absorbed_ids) if i != master_id]

        async def change(session: Session) -> Outcome[None]:
            now = self.clock()
            events: list[Event] = []
            for task in await self.tasks.of_customers(absorbed, session=session):
                moved = task.moved_to_customer(master_id, actor=event.actor, now=now)
                await self.writer.save(task, moved, session=session)
                events += events_of(moved, event)
            await self.customers.remember_merge(absorbed, master_id, session=session)
            return Outcome(None, events)

        await self.changes.run(event, change, repeated=no_result)

    async def erased(self, event: CustomerErased) -> None:
        await self.customers.apply(event.customer)
        customer_id = event.customer.customer_id

        async def change(session: Session) -> Outcome[None]:
            now = self.clock()
            for task in await self.tasks.of_customers([customer_id], session=session):
                await self.writer.save(
                    task, task.erased(actor=event.actor, now=now), session=session
                )
            await self.sent_events.forget_sent(customer_id, session=session)
            return Outcome(None)

        await self.changes.run(event, change, repeated=no_result)

"""Consent follows a merge of customers (domain/merge.py says what the master takes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.consent.domain.merge import carried_over
from shared.contracts.consent import ConsentSource, MergedFrom
from shared.unit_of_work import Outcome, no_result

if TYPE_CHECKING:
    from services.consent.use_cases.customers import Customers
    from services.consent.use_cases.ports import (
        Directory,
        Ledger,
        States,
        UnitOfWork,
    )
    from services.consent.use_cases.recording import Recorder
    from shared.contracts.consent import ConsentChanged
    from shared.contracts.customers import CustomersMerged
    from shared.mongo import Session


@dataclass
class Merges:
    customers: Customers
    directory: Directory
    ledger: Ledger
    states: States
    recorder: Recorder
    unit: UnitOfWork

    async def apply(self, event: CustomersMerged) -> None:
        # The master may be news to this service.
        await self.customers.learn(event.master)
        master_id = event.master.customer_id
        absorbed_ids = [i for i in dict.fromkeys(event.absorbed_ids) if i != master_id]

        async def change(session: Session) -> Outcome[None]:
            master = await self.ledger.entries(master_id, session=session)
            absorbed = {
                customer_id: [
                    e.as_decision() for e in await self.ledger.entries(customer_id, session=session)
                ]
                for customer_id in absorbed_ids
            }
            events: list[ConsentChanged] = []
            for carried in carried_over(
                master_id=master_id,
                master=[e.as_decision() for e in master],
                absorbed=absorbed,
                merge_message_id=event.message_id,
                merged_at=event.occurred_at,
            ):
                origin = await self.ledger.entry(carried.from_entry, session=session)
                assert origin is not None, "a carried decision comes from a stored entry"
                recorded = await self.recorder.record(
                    session,
                    customer_id=master_id,
                    decision=carried.decision,
                    # The original proof (text, order, where given) goes along; the original
                    # entry stays in the absorbed customer's ledger.
                    evidence=origin.evidence.model_copy(
                        update={"source": ConsentSource.MERGE, "decided_at": event.occurred_at}
                    ),
                    actor=event.actor,
                    email=origin.email,
                    cause=event,
                    merged_from=MergedFrom(
                        customer_id=carried.from_customer, entry_id=carried.from_entry
                    ),
                )
                events += recorded.events
            await self.directory.remember_merge(absorbed_ids, master_id, session=session)
            await self.states.forget(absorbed_ids, session=session)
            return Outcome(None, events)

        await self.unit.run(event, change, repeated=no_result)

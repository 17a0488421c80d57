"""Use case: a master absorbs other customers, and everything that referred to them follows.

In one transaction: the master gets the united customer, each source becomes a tombstone, and
identities, orders, notes and history move to the master (so a later order for an absorbed
identity lands on the master). Duplicate candidates among the merged customers are accepted,
the others of the absorbed ones become obsolete. `CustomersMerged` tells consent and tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.customer import Customer, changes_between
from services.customer.domain.errors import Conflict, InvalidInput
from services.customer.domain.merging import check_request, merge, snapshot
from services.customer.use_cases.ports import reference
from services.customer.use_cases.views import customer_ref
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomersMerged
from shared.contracts.duplicates import CandidateStatus
from shared.contracts.replies import FieldError
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from datetime import datetime

    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, Identities, Notes, Orders, Ref
    from shared.contracts.customers import MergeCustomers
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

# Open candidates of one customer looked at when a merge settles them.
SETTLED_AT_ONCE = 200


@dataclass
class MergeCommands:
    unit: ChangeRunner
    changes: Changes
    identities: Identities
    orders: Orders
    notes: Notes
    clock: Clock

    async def merge(self, command: MergeCustomers) -> Ref:
        check_request(command.master_id, command.source_ids)

        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            master = await self.changes.load(command.master_id, session=session)
            sources = await self._sources(command, session)
            await self._check_candidate(command, session)
            merged = merge(master, sources, now=now)
            customers, absorbed = self.changes.customers, [s.id for s in sources]
            await customers.save(merged.master, previous_version=master.version, session=session)
            for source, tombstone in zip(sources, merged.tombstones, strict=True):
                await customers.save(tombstone, previous_version=source.version, session=session)
            await self.identities.hand_over(absorbed, master.id, session=session)
            moved_orders = await self.orders.hand_over(absorbed, master.id, session=session)
            moved_notes = await self.notes.hand_over(absorbed, master.id, session=session)
            await self.changes.history.hand_over(absorbed, master.id, session=session)
            await self._settle_candidates(command, master, absorbed, now=now, session=session)
            await self.changes.record(
                master.id,
                message=command,
                kind=ActivityKind.MERGED,
                at=now,
                session=session,
                changes=changes_between(master, merged.master),
                details={
                    "absorbed": [snapshot(s) for s in sources],
                    "orders_moved": moved_orders,
                    "notes_moved": moved_notes,
                },
            )
            for source in sources:
                await self.changes.record(
                    source.id,
                    message=command,
                    kind=ActivityKind.MERGED,
                    at=now,
                    session=session,
                    details={"merged_into": master.id},
                )
            await self.changes.propose_duplicates(merged.master, at=now, session=session)
            merged_event = command.caused(
                CustomersMerged, master=customer_ref(merged.master), absorbed_ids=tuple(absorbed)
            )
            return Outcome.kept(reference(customer_id=master.id), [merged_event])

        return await self.unit.run(command, change)

    async def _sources(self, command: MergeCustomers, session: Session) -> list[Customer]:
        sources, errors = [], []
        for index, source_id in enumerate(command.source_ids):
            source = await self.changes.customers.get(source_id, session=session)
            if source is None:
                errors.append(FieldError(field=f"source_ids.{index}", message="no such customer"))
            else:
                sources.append(source)
        if errors:
            raise InvalidInput(errors)
        return sources

    async def _check_candidate(self, command: MergeCustomers, session: Session) -> None:
        if command.candidate_id is None:
            return
        candidate = await self.changes.duplicates.get(command.candidate_id, session=session)
        if candidate is None:
            raise InvalidInput(
                [FieldError(field="candidate_id", message="no such duplicate candidate")]
            )
        if candidate.status is not CandidateStatus.OPEN:
            raise Conflict(f"the candidate is {candidate.status.value}", field="candidate_id")
        if set(candidate.customer_ids) != {command.master_id, *command.source_ids}:
            raise InvalidInput(
                [FieldError(field="candidate_id", message="the candidate is about other customers")]
            )

    async def _settle_candidates(
        self,
        command: MergeCustomers,
        master: Customer,
        absorbed: list[str],
        *,
        now: datetime,
        session: Session,
    ) -> None:
        duplicates, merged = self.changes.duplicates, {master.id, *absorbed}
        page, _ = await duplicates.page(
            status=CandidateStatus.OPEN, customer_id=master.id, cursor=None, limit=SETTLED_AT_ONCE
        )
        for candidate in page:
            if set(candidate.customer_ids) <= merged:
                await duplicates.decide(
                    candidate.id,
                    CandidateStatus.ACCEPTED,
                    actor=command.actor,
                    now=now,
                    session=session,
                )
        await duplicates.close_involving(absorbed, actor=command.actor, now=now, session=session)

"""Use case: a master absorbs other customers, and everything that referred to them follows.

In one transaction: the master gets the united record, each source becomes a tombstone, and
identities, orders, notes and history move to the master (so a later order for an absorbed
identity lands on the master). Duplicate candidates among the merged customers are accepted,
the others of the absorbed ones become obsolete. `CustomersMerged` tells consent and tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.customer import Customer, changes_between
from services.customer.domain.errors import Conflict, InvalidInput
from services.customer.domain.merging import check_request, merge, snapshot
from services.customer.domain.views import customer_ref
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomersMerged
from shared.contracts.duplicates import CandidateStatus
from shared.contracts.replies import FieldError

if TYPE_CHECKING:
    from services.customer.note_store import NoteStore
    from services.customer.order_store import OrderStore
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.customers import MergeCustomers
    from shared.mongo import Session


@dataclass
class MergeCommands:
    transactions: Transactions
    records: Records
    orders: OrderStore
    notes: NoteStore

    async def merge(self, command: MergeCustomers) -> dict[str, str]:
        check_request(command.master_id, command.source_ids)

        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            master = await self.records.load(command.master_id, session=session)
            sources = await self._sources(command, session)
            await self._check_candidate(command, session)
            merged = merge(master, sources, now=now)
            store, absorbed = self.records.store, [s.id for s in sources]
            await store.save(merged.master, previous_version=master.version, session=session)
            for source, tombstone in zip(sources, merged.tombstones, strict=True):
                await store.save(tombstone, previous_version=source.version, session=session)
            await store.hand_over_identities(absorbed, master.id, session=session)
            moved_orders = await self.orders.hand_over(absorbed, master.id, session=session)
            moved_notes = await self.notes.hand_over(absorbed, master.id, session=session)
            await self.records.history.hand_over(absorbed, master.id, session=session)
            await self._settle_candidates(command, master, absorbed, now=now, session=session)
            await self.records.history.add(
                [
                    self.records.activity(
                        master.id,
                        message=command,
                        kind=ActivityKind.MERGED,
                        at=now,
                        changes=changes_between(master, merged.master),
                        details={
                            "absorbed": [snapshot(s) for s in sources],
                            "orders_moved": moved_orders,
                            "notes_moved": moved_notes,
                        },
                    ),
                    *(
                        self.records.activity(
                            source.id,
                            message=command,
                            kind=ActivityKind.MERGED,
                            at=now,
                            details={"merged_into": master.id},
                        )
                        for source in sources
                    ),
                ],
                session=session,
            )
            await self.records.propose_duplicates(merged.master, session=session, now=now)
            return Done(
                ref=reference(customer_id=master.id),
                events=[
                    command.caused(
                        CustomersMerged,
                        master=customer_ref(merged.master),
                        absorbed_ids=tuple(absorbed),
                    )
                ],
            )

        return await self.transactions.run(command, body)

    async def _sources(self, command: MergeCustomers, session: Session) -> list[Customer]:
        sources, errors = [], []
        for index, source_id in enumerate(command.source_ids):
            source = await self.records.store.get(source_id, session=session)
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
        candidate = await self.records.duplicates.get(command.candidate_id, session=session)
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
        duplicates, merged = self.records.duplicates, {master.id, *absorbed}
        page, _ = await duplicates.page(
            status=CandidateStatus.OPEN, customer_id=master.id, cursor=None, limit=200
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

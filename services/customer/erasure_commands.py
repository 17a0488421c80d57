"""Use case: erase a customer (GDPR Art. 17), on the customer service's side.

The record is anonymised, its identities are released (a later order of the same person makes
a new customer), its notes are deleted, its history keeps who changed which field when but not
the values, and `CustomerErased` tells the other services to do their part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.erasure import erase
from services.customer.domain.views import customer_ref
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomerErased

if TYPE_CHECKING:
    from services.customer.field_store import FieldStore
    from services.customer.note_store import NoteStore
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.customers import EraseCustomer
    from shared.mongo import Session


@dataclass
class ErasureCommands:
    transactions: Transactions
    records: Records
    notes: NoteStore
    fields: FieldStore

    async def erase(self, command: EraseCustomer) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            before = await self.records.load(command.customer_id, session=session)
            definitions = await self.fields.all(session=session)
            after = erase(
                before,
                now=now,
                non_personal_fields={k for k, d in definitions.items() if not d.pii},
            )
            if after is before:
                return Done(ref=reference(customer_id=before.id))
            store = self.records.store
            await store.save(after, previous_version=before.version, session=session)
            released = await store.release_all(before.id, session=session)
            notes_removed = await self.notes.remove_all(before.id, session=session)
            await self.records.history.scrub(before.id, session=session)
            await self.records.duplicates.forget(before.id, session=session)
            await self.records.history.add(
                [
                    self.records.activity(
                        before.id,
                        message=command,
                        kind=ActivityKind.ERASED,
                        at=now,
                        details={
                            "identities_released": released,
                            "notes_removed": notes_removed,
                        },
                    )
                ],
                session=session,
            )
            return Done(
                ref=reference(customer_id=before.id),
                events=[command.caused(CustomerErased, customer=customer_ref(after))],
            )

        return await self.transactions.run(command, body)

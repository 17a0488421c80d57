"""Use case: a customer record imported from another system (on the work queue).

The record is found by its external id, else by its strongest email, else created; its
identifiers are claimed like an order's. Custom field values from a CSV file arrive as text and
are read by each field's type first. A draft that does not fit (e.g. a custom field value of
the wrong type) cannot succeed: it is parked with the reason, naming the field; a bulk import's
rows carry the import's id as correlation id, so the parked rows of one file can be listed
(`python -m tools.dead_letters list customer --correlation-id <import id>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.custom_fields import extra_from_text
from services.customer.domain.customer import changes_between, new_customer
from services.customer.domain.identities import (
    Identifier,
    IdentifierKind,
    email_identifier,
    normalise_email,
)
from services.customer.domain.imports import apply_import
from services.customer.domain.views import customer_ref
from services.customer.records import short_id
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomerCreated

if TYPE_CHECKING:
    from services.customer.field_store import FieldStore
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.customers import ImportCustomer
    from shared.contracts.envelope import Event
    from shared.mongo import Session


@dataclass
class ImportCommands:
    transactions: Transactions
    records: Records
    fields: FieldStore
    default_region: str

    async def import_customer(self, command: ImportCustomer) -> dict[str, str]:
        return await self.transactions.run(command, lambda s: self._import(command, s))

    async def _import(self, command: ImportCustomer, session: Session) -> Done:
        store, now = self.records.store, datetime.now(UTC)
        identifiers = self._identifiers(command)
        owners = await store.owners([i.key for i in identifiers], session=session)
        owner_id = next((owners[i.key] for i in identifiers if i.key in owners), None)
        before = await store.resolve(owner_id, session=session) if owner_id else None
        if before is None or before.is_closed:
            before = new_customer(
                customer_id=store.new_id(),
                number=await store.next_number(),
                now=now,
                origin_channel=command.source,
            )
        foreign = {i for i in identifiers if owners.get(i.key) not in (None, before.id)}
        definitions = await self.fields.all(session=session)
        draft = command.customer
        if command.extra_as_text and draft.extra:
            draft = draft.model_copy(update={"extra": extra_from_text(draft.extra, definitions)})
        after = apply_import(
            before,
            draft,
            source=command.source,
            updated_at=command.updated_at,
            actor=command.actor,
            definitions=definitions,
            now=now,
            default_region=self.default_region,
            new_id=short_id,
            foreign_emails={i.value for i in foreign if i.kind is IdentifierKind.EMAIL},
        )
        await store.claim(
            [i for i in identifiers if i.key not in owners], after.id, session=session
        )
        source = {"channel": command.source, "external_id": command.external_id}
        if before.version == 0:
            await store.save(after, previous_version=0, session=session)
            await self.records.history.add(
                [
                    self.records.activity(
                        after.id,
                        message=command,
                        kind=ActivityKind.CREATED,
                        at=now,
                        changes=changes_between(before, after),
                        source=source,
                    )
                ],
                session=session,
            )
            await self.records.propose_duplicates(after, session=session, now=now)
            events: list[Event] = [command.caused(CustomerCreated, customer=customer_ref(after))]
        else:
            events = [
                *await self.records.save_change(
                    before,
                    after,
                    message=command,
                    kind=ActivityKind.UPDATED,
                    session=session,
                    now=now,
                    source=source,
                )
            ]
        return Done(ref=reference(customer_id=after.id), events=[*events])

    @staticmethod
    def _identifiers(command: ImportCustomer) -> list[Identifier]:
        found = [Identifier(IdentifierKind.EXTERNAL, f"{command.source}:{command.external_id}")]
        for entry in command.customer.emails or ():
            address = normalise_email(entry.address)
            identifier = email_identifier(address, channel=None) if address else None
            if identifier is not None and identifier not in found:
                found.append(identifier)
        return found

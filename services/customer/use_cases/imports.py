"""Use case: a customer imported from another system (a CRM migration; on the work queue).

The customer is found by their id in that system, else by their strongest email, else created;
the identifiers are claimed like an order's. Custom field values from a CSV file arrive as text
and are read by each field's type first. A draft that does not fit (e.g. a custom field value of
the wrong type) cannot succeed: it is parked with the reason, naming the field; a bulk file's
rows carry the file's import job id as correlation id, so the parked rows of one file can be listed
(`python -m tools.dead_letters list customer --correlation-id <import job id>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.custom_fields import extra_from_text
from services.customer.domain.customer import new_customer
from services.customer.domain.identities import (
    Identifier,
    IdentifierKind,
    email_identifier,
    external_identifier,
    normalise_email,
)
from services.customer.domain.imports import apply_import
from services.customer.use_cases.ports import reference
from shared.contracts.customer_history import ActivityKind
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, CustomFields, Identities, Ref
    from shared.contracts.customers import ImportCustomer
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner


@dataclass
class ImportCommands:
    unit: ChangeRunner
    changes: Changes
    identities: Identities
    fields: CustomFields
    clock: Clock
    default_region: str

    async def import_customer(self, command: ImportCustomer) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            return await self._import(command, session)

        return await self.unit.run(command, change)

    async def _import(self, command: ImportCustomer, session: Session) -> Outcome[Ref]:
        customers, now = self.changes.customers, self.clock()
        identifiers = _identifiers(command)
        owners = await self.identities.owners([i.key for i in identifiers], session=session)
        owner_id = next((owners[i.key] for i in identifiers if i.key in owners), None)
        before = await customers.resolve(owner_id, session=session) if owner_id else None
        if before is None or before.is_closed:
            before = new_customer(
                customer_id=customers.new_id(),
                number=await customers.next_number(),
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
            new_id=self.changes.new_id,
            foreign_emails={i.value for i in foreign if i.kind is IdentifierKind.EMAIL},
        )
        await self.identities.claim(
            [i for i in identifiers if i.key not in owners], after.id, session=session
        )
        events = await self.changes.save(
            before,
            after,
            message=command,
            kind=ActivityKind.CREATED if before.version == 0 else ActivityKind.UPDATED,
            at=now,
            session=session,
            source={"channel": command.source, "external_id": command.external_id},
        )
        return Outcome.kept(reference(customer_id=after.id), events)


def _identifiers(command: ImportCustomer) -> list[Identifier]:
    found = [external_identifier(command.source, command.external_id)]
    for entry in command.customer.emails or ():
        address = normalise_email(entry.address)
        identifier = email_identifier(address, channel=None) if address else None
        if identifier is not None and identifier not in found:
            found.append(identifier)
    return found

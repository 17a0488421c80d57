"""Use cases: a person creates or edits a customer through the API.

Emails are identities: an address added by hand is claimed like one from an order (so no two
customers share it), an address removed is released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain import editing
from services.customer.domain.customer import Customer, changes_between, new_customer
from services.customer.domain.errors import Conflict
from services.customer.domain.identities import Identifier, email_identifier
from services.customer.domain.views import customer_ref
from services.customer.records import short_id
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import (
    ChangeTags,
    CreateCustomer,
    CustomerCreated,
    CustomerDisabled,
    CustomerEnabled,
    CustomerStatus,
    CustomerTagsChanged,
    DisableCustomer,
    EnableCustomer,
    PasswordResetRequired,
    RequirePasswordReset,
    UpdateCustomer,
)
from shared.contracts.replies import FieldError

if TYPE_CHECKING:
    from services.customer.field_store import FieldStore
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.mongo import Session


@dataclass
class ProfileCommands:
    transactions: Transactions
    records: Records
    fields: FieldStore
    default_region: str

    async def create(self, command: CreateCustomer) -> dict[str, str]:
        async def body(session: Session) -> Done:
            store, now = self.records.store, datetime.now(UTC)
            blank = new_customer(
                customer_id=store.new_id(), number=await store.next_number(), now=now
            )
            customer = editing.create_profile(
                blank,
                command.customer,
                definitions=await self.fields.all(session=session),
                actor=command.actor,
                now=now,
                default_region=self.default_region,
                new_id=short_id,
            )
            await self._claim_emails(blank, customer, session=session)
            await store.save(customer, previous_version=0, session=session)
            await self.records.history.add(
                [
                    self.records.activity(
                        customer.id,
                        message=command,
                        kind=ActivityKind.CREATED,
                        at=now,
                        changes=changes_between(blank, customer),
                    )
                ],
                session=session,
            )
            await self.records.propose_duplicates(customer, session=session, now=now)
            return Done(
                ref=reference(customer_id=customer.id),
                events=[command.caused(CustomerCreated, customer=customer_ref(customer))],
            )

        return await self.transactions.run(command, body)

    async def update(self, command: UpdateCustomer) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            before = await self.records.load_open(command.customer_id, session=session)
            if command.expected_version and before.version != command.expected_version:
                raise Conflict(
                    f"the customer is at version {before.version}, not {command.expected_version}",
                    field="expected_version",
                )
            after = editing.edit_profile(
                before,
                command.set,
                clear=command.clear,
                definitions=await self.fields.all(session=session),
                actor=command.actor,
                now=now,
                default_region=self.default_region,
            )
            await self._claim_emails(before, after, session=session)
            events = await self.records.save_change(
                before, after, message=command, kind=ActivityKind.UPDATED, session=session, now=now
            )
            return Done(ref=reference(customer_id=after.id), events=[*events])

        return await self.transactions.run(command, body)

    async def change_tags(self, command: ChangeTags) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            before = await self.records.load_open(command.customer_id, session=session)
            after = editing.change_tags(before, add=command.add, remove=command.remove, now=now)
            events = await self.records.save_change(
                before,
                after,
                message=command,
                kind=ActivityKind.TAGS_CHANGED,
                session=session,
                now=now,
            )
            if after is not before:
                events.append(
                    command.caused(
                        CustomerTagsChanged,
                        customer=customer_ref(after),
                        added=tuple(t for t in after.tags if t not in before.tags),
                        removed=tuple(t for t in before.tags if t not in after.tags),
                    )
                )
            return Done(ref=reference(customer_id=after.id), events=[*events])

        return await self.transactions.run(command, body)

    async def disable(self, command: DisableCustomer) -> dict[str, str]:
        return await self._set_status(command, CustomerStatus.DISABLED, command.reason)

    async def enable(self, command: EnableCustomer) -> dict[str, str]:
        return await self._set_status(command, CustomerStatus.ACTIVE, None)

    async def _set_status(
        self, command: DisableCustomer | EnableCustomer, status: CustomerStatus, reason: str | None
    ) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            before = await self.records.load(command.customer_id, session=session)
            after = editing.set_status(before, status, now=now)
            disabling = status is CustomerStatus.DISABLED
            events = await self.records.save_change(
                before,
                after,
                message=command,
                kind=ActivityKind.DISABLED if disabling else ActivityKind.ENABLED,
                session=session,
                now=now,
                details={"reason": reason} if reason else None,
            )
            if after is not before:
                ref = customer_ref(after)
                events.append(
                    command.caused(CustomerDisabled, customer=ref, reason=reason)
                    if disabling
                    else command.caused(CustomerEnabled, customer=ref)
                )
            return Done(ref=reference(customer_id=after.id), events=[*events])

        return await self.transactions.run(command, body)

    async def require_password_reset(self, command: RequirePasswordReset) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            before = await self.records.load(command.customer_id, session=session)
            after = editing.require_password_reset(before, now=now)
            # Asking again is an action of its own (the shop sends the reset mail again).
            events = await self.records.save_change(
                before,
                after,
                message=command,
                kind=ActivityKind.PASSWORD_RESET_REQUIRED,
                session=session,
                now=now,
                details={"reason": command.reason} if command.reason else None,
                always_record=True,
            )
            events.append(
                command.caused(
                    PasswordResetRequired, customer=customer_ref(after), reason=command.reason
                )
            )
            return Done(ref=reference(customer_id=after.id), events=[*events])

        return await self.transactions.run(command, body)

    async def _claim_emails(self, before: Customer, after: Customer, *, session: Session) -> None:
        """Claim addresses the record gained, release those it lost; refuse someone else's."""
        old = {e.address for e in before.emails}
        new = {e.address for e in after.emails}
        gained = [i for i in (email_identifier(a, channel=None) for a in new - old) if i]
        lost = [i.key for i in (email_identifier(a, channel=None) for a in old - new) if i]
        store = self.records.store
        owners = await store.owners([i.key for i in gained], session=session)
        taken = [i for i in gained if owners.get(i.key) not in (None, after.id)]
        if taken:
            raise _email_taken(after, taken, owners)
        await store.release(lost, after.id, session=session)
        await store.claim([i for i in gained if i.key not in owners], after.id, session=session)


def _email_taken(customer: Customer, taken: list[Identifier], owners: dict[str, str]) -> Conflict:
    positions = {e.address: n for n, e in enumerate(customer.emails)}
    return Conflict(
        "; ".join(f"{i.value} belongs to customer {owners[i.key]}" for i in taken)
        + " (merge the customers instead)",
        errors=[
            FieldError(
                field=f"emails.{positions[i.value]}.address",
                message=f"belongs to customer {owners[i.key]}",
            )
            for i in taken
        ],
    )

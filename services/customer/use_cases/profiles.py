"""Use cases: a person creates or edits a customer through the API.

Emails are identities: an address added by hand is claimed like one from an order (so no two
customers share it), an address removed is released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain import editing
from services.customer.domain.customer import Customer, new_customer
from services.customer.domain.errors import Conflict, StaleVersion
from services.customer.domain.identities import Identifier, email_identifier
from services.customer.use_cases.ports import reference
from services.customer.use_cases.views import customer_ref
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import (
    CustomerDisabled,
    CustomerEnabled,
    CustomerStatus,
    CustomerTagsChanged,
    PasswordResetRequired,
)
from shared.contracts.replies import FieldError
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, CustomFields, Identities, Ref
    from shared.contracts.customers import (
        ChangeTags,
        CreateCustomer,
        DisableCustomer,
        EnableCustomer,
        RequirePasswordReset,
        UpdateCustomer,
    )
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner


@dataclass
class ProfileCommands:
    unit: ChangeRunner
    changes: Changes
    identities: Identities
    fields: CustomFields
    clock: Clock
    default_region: str

    async def create(self, command: CreateCustomer) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            customers, now = self.changes.customers, self.clock()
            blank = new_customer(
                customer_id=customers.new_id(), number=await customers.next_number(), now=now
            )
            customer = editing.create_profile(
                blank,
                command.customer,
                definitions=await self.fields.all(session=session),
                actor=command.actor,
                now=now,
                default_region=self.default_region,
                new_id=self.changes.new_id,
            )
            await self._claim_emails(blank, customer, session=session)
            events = await self.changes.save(
                blank, customer, message=command, kind=ActivityKind.CREATED, at=now, session=session
            )
            return Outcome.kept(reference(customer_id=customer.id), events)

        return await self.unit.run(command, change)

    async def update(self, command: UpdateCustomer) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            before = await self.changes.load_open(command.customer_id, session=session)
            if command.expected_version and before.version != command.expected_version:
                raise StaleVersion(
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
            events = await self.changes.save(
                before, after, message=command, kind=ActivityKind.UPDATED, at=now, session=session
            )
            return Outcome.kept(reference(customer_id=after.id), events)

        return await self.unit.run(command, change)

    async def change_tags(self, command: ChangeTags) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            before = await self.changes.load_open(command.customer_id, session=session)
            after = editing.change_tags(before, add=command.add, remove=command.remove, now=now)
            events = await self.changes.save(
                before,
                after,
                message=command,
                kind=ActivityKind.TAGS_CHANGED,
                at=now,
                session=session,
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
            return Outcome.kept(reference(customer_id=after.id), events)

        return await self.unit.run(command, change)

    async def disable(self, command: DisableCustomer) -> Ref:
        return await self._set_status(command, CustomerStatus.DISABLED, command.reason)

    async def enable(self, command: EnableCustomer) -> Ref:
        return await self._set_status(command, CustomerStatus.ACTIVE, None)

    async def _set_status(
        self, command: DisableCustomer | EnableCustomer, status: CustomerStatus, reason: str | None
    ) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            before = await self.changes.load(command.customer_id, session=session)
            after = editing.set_status(before, status, now=now)
            disabling = status is CustomerStatus.DISABLED
            events = await self.changes.save(
                before,
                after,
                message=command,
                kind=ActivityKind.DISABLED if disabling else ActivityKind.ENABLED,
                at=now,
                session=session,
                details={"reason": reason} if reason else None,
            )
            if after is not before:
                ref = customer_ref(after)
                events.append(
                    command.caused(CustomerDisabled, customer=ref, reason=reason)
                    if disabling
                    else command.caused(CustomerEnabled, customer=ref)
                )
            return Outcome.kept(reference(customer_id=after.id), events)

        return await self.unit.run(command, change)

    async def require_password_reset(self, command: RequirePasswordReset) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            before = await self.changes.load(command.customer_id, session=session)
            after = editing.require_password_reset(before, now=now)
            # Asking again is an action of its own (the shop sends the reset mail again).
            events = await self.changes.save(
                before,
                after,
                message=command,
                kind=ActivityKind.PASSWORD_RESET_REQUIRED,
                at=now,
                session=session,
                details={"reason": command.reason} if command.reason else None,
                always_record=True,
            )
            events.append(
                command.caused(
                    PasswordResetRequired, customer=customer_ref(after), reason=command.reason
                )
            )
            return Outcome.kept(reference(customer_id=after.id), events)

        return await self.unit.run(command, change)

    async def _claim_emails(self, before: Customer, after: Customer, *, session: Session) -> None:
        """Claim addresses the customer gained, release those they lost; refuse someone else's."""
        old = {e.address for e in before.emails}
        new = {e.address for e in after.emails}
        gained = [i for i in (email_identifier(a, channel=None) for a in new - old) if i]
        lost = [i.key for i in (email_identifier(a, channel=None) for a in old - new) if i]
        owners = await self.identities.owners([i.key for i in gained], session=session)
        taken = [i for i in gained if owners.get(i.key) not in (None, after.id)]
        if taken:
            raise _email_taken(after, taken, owners)
        await self.identities.release(lost, after.id, session=session)
        await self.identities.claim(
            [i for i in gained if i.key not in owners], after.id, session=session
        )


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

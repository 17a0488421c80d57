"""Use cases: a customer's addresses and bank accounts, edited through the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain import editing
from services.customer.domain.bank import check_account, mask_iban
from services.customer.domain.customer import BankAccount, Customer
from services.customer.domain.errors import Conflict, NotFound
from services.customer.use_cases.ports import reference
from shared.contracts.customer_history import ActivityKind
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from datetime import datetime

    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, Ref, Vault
    from shared.contracts.customer_details import (
        AddAddress,
        AddBankAccount,
        ChangeAddress,
        RemoveAddress,
        RemoveBankAccount,
    )
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

    _DetailCommand = AddAddress | ChangeAddress | RemoveAddress | AddBankAccount | RemoveBankAccount


# The customer after an edit, and the ids the answer names besides the customer's.
Edited = tuple[Customer, dict[str, str]]


@dataclass
class DetailCommands:
    unit: ChangeRunner
    changes: Changes
    vault: Vault
    clock: Clock
    default_region: str

    async def add_address(self, command: AddAddress) -> Ref:
        def add(before: Customer, now: datetime) -> Edited:
            # An address the customer has already keeps its id: the answer names that one.
            after, address_id = editing.add_address(
                before,
                command.address,
                address_id=self.changes.new_id(),
                default_billing=command.default_billing,
                default_shipping=command.default_shipping,
                actor=command.actor,
                now=now,
                default_region=self.default_region,
            )
            return after, {"address_id": address_id}

        return await self._edit(command, ActivityKind.ADDRESS_ADDED, add)

    async def change_address(self, command: ChangeAddress) -> Ref:
        def change(before: Customer, now: datetime) -> Edited:
            after = editing.change_address(
                before,
                command.address_id,
                command.address,
                default_billing=command.default_billing,
                default_shipping=command.default_shipping,
                actor=command.actor,
                now=now,
                default_region=self.default_region,
            )
            return after, {"address_id": command.address_id}

        return await self._edit(command, ActivityKind.ADDRESS_CHANGED, change)

    async def remove_address(self, command: RemoveAddress) -> Ref:
        def remove(before: Customer, now: datetime) -> Edited:
            return editing.remove_address(
                before, command.address_id, actor=command.actor, now=now
            ), {}

        return await self._edit(command, ActivityKind.ADDRESS_REMOVED, remove)

    async def add_bank_account(self, command: AddBankAccount) -> Ref:
        # Validation and encryption happen once, outside the (retried) transaction body.
        checked = check_account(command.account.iban, command.account.bic, path="account")
        account_id = self.changes.new_id()
        account = BankAccount(
            id=account_id,
            iban_masked=mask_iban(checked.iban),
            fingerprint=self.vault.fingerprint(checked.iban),
            ciphertext=self.vault.encrypt(checked.iban, account_id=account_id),
            bic=checked.bic,
            bank_name=checked.bank_name,
            country_code=checked.country_code,
            holder=command.account.holder,
            added_at=command.occurred_at,
        )

        def add(before: Customer, now: datetime) -> Edited:
            if any(a.fingerprint == account.fingerprint for a in before.bank_accounts):
                raise Conflict("the customer has this account already", field="account.iban")
            after = before.changed(now, bank_accounts=(*before.bank_accounts, account))
            return after, {"account_id": account_id}

        return await self._edit(command, ActivityKind.BANK_ACCOUNT_ADDED, add)

    async def remove_bank_account(self, command: RemoveBankAccount) -> Ref:
        def remove(before: Customer, now: datetime) -> Edited:
            kept = tuple(a for a in before.bank_accounts if a.id != command.account_id)
            if len(kept) == len(before.bank_accounts):
                raise NotFound(
                    "Bank account", f"the customer has no bank account {command.account_id}"
                )
            return before.changed(now, bank_accounts=kept), {}

        return await self._edit(command, ActivityKind.BANK_ACCOUNT_REMOVED, remove)

    async def _edit(
        self,
        command: _DetailCommand,
        kind: ActivityKind,
        edit: Callable[[Customer, datetime], Edited],
    ) -> Ref:
        """Load the open customer, apply the (pure) edit, save it with its history and events."""

        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            before = await self.changes.load_open(command.customer_id, session=session)
            after, ids = edit(before, now)
            events = await self.changes.save(
                before, after, message=command, kind=kind, at=now, session=session
            )
            return Outcome.kept(reference(customer_id=after.id, **ids), events)

        return await self.unit.run(command, change)

"""Use cases: a customer's addresses and bank accounts, edited through the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain import editing
from services.customer.domain.bank import check_account, mask_iban
from services.customer.domain.customer import BankAccount, Customer
from services.customer.domain.errors import Conflict, NotFound
from services.customer.records import short_id
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind

if TYPE_CHECKING:
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from services.customer.vault import BankVault
    from shared.contracts.customer_details import (
        AddAddress,
        AddBankAccount,
        ChangeAddress,
        RemoveAddress,
        RemoveBankAccount,
    )
    from shared.mongo import Session

    _DetailCommand = AddAddress | ChangeAddress | RemoveAddress | AddBankAccount | RemoveBankAccount


# The record after an edit, and the ids the answer names besides the customer's.
Edited = tuple[Customer, dict[str, str]]


@dataclass
class DetailCommands:
    transactions: Transactions
    records: Records
    vault: BankVault
    default_region: str

    async def add_address(self, command: AddAddress) -> dict[str, str]:
        def add(before: Customer, now: datetime) -> Edited:
            # An address the customer has already keeps its id: the answer names that one.
            after, address_id = editing.add_address(
                before,
                command.address,
                address_id=short_id(),
                default_billing=command.default_billing,
                default_shipping=command.default_shipping,
                actor=command.actor,
                now=now,
                default_region=self.default_region,
            )
            return after, {"address_id": address_id}

        return await self._edit(command, ActivityKind.ADDRESS_ADDED, add)

    async def change_address(self, command: ChangeAddress) -> dict[str, str]:
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

    async def remove_address(self, command: RemoveAddress) -> dict[str, str]:
        def remove(before: Customer, now: datetime) -> Edited:
            return editing.remove_address(
                before, command.address_id, actor=command.actor, now=now
            ), {}

        return await self._edit(command, ActivityKind.ADDRESS_REMOVED, remove)

    async def add_bank_account(self, command: AddBankAccount) -> dict[str, str]:
        # Validation and encryption happen once, outside the (retried) transaction body.
        checked = check_account(command.account.iban, command.account.bic, path="account")
        account_id = short_id()
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

    async def remove_bank_account(self, command: RemoveBankAccount) -> dict[str, str]:
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
    ) -> dict[str, str]:
        """Load the open record, apply the (pure) edit, save it with its history and events."""

        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            before = await self.records.load_open(command.customer_id, session=session)
            after, ref = edit(before, now)
            events = await self.records.save_change(
                before, after, message=command, kind=kind, session=session, now=now
            )
            return Done(ref=reference(customer_id=after.id, **ref), events=[*events])

        return await self.transactions.run(command, body)

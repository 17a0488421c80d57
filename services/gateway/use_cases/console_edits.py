"""What the console's edit screens need beyond passing one command on: the edit screen of a
customer (the record and the custom field definitions, asked at once), custom field values
typed by their definitions as a form gives them as text, a bank account replaced, the caller's
notifications marked read, and the consent purposes.

The services stay the judges of every value: the types given here only make a form's text the
JSON value the customer service checks (a number as a number), so the service's own messages
are what a person reads beside the field.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from services.gateway.domain.roles import FieldGroup
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.console_screens import Part, Screens, _part
from services.gateway.use_cases.console_view import Viewer
from services.gateway.use_cases.ports import Services
from shared.contracts import consent as cs
from shared.contracts import custom_fields as cf
from shared.contracts import customer_details as d
from shared.contracts import customers as c
from shared.contracts import tasks as t
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput

G = FieldGroup
# The most notifications marked read at once (the tasks service's limit per command).
MARK_AT_ONCE = 200


class FieldWrites(Protocol):
    """The API's check of a customer change, field by field (`Visibility` is one)."""

    async def require_customer_writes(self, fields: Iterable[str], extra: Iterable[str]) -> None:
        """Refuse (403) a change touching a field the caller may not write, naming it."""
        ...


@dataclass(frozen=True)
class EditScreen:
    customer: c.CustomerView
    # The custom field definitions; a field is shown for editing to who reads and writes it.
    fields: Part[cf.CustomFieldList]

    def editable(self, caller: Caller) -> tuple[cf.CustomFieldView, ...]:
        if not isinstance(self.fields, cf.CustomFieldList):
            return ()
        grants = caller.grants
        return tuple(
            f
            for f in self.fields.items
            if grants.reads_group(f.access_group) and grants.writes_group(f.access_group)
        )


def typed_value(definition: cf.CustomFieldView, text: str | None) -> Any:
    """A form's text in the JSON type the field stores; None (left blank) removes the value.
    Raises ValueError with the reason when the text cannot be of that type at all."""
    if text is None:
        return None
    if definition.field_type is cf.FieldType.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        if not math.isfinite(number):
            raise ValueError("must be a finite number")
        return int(number) if number.is_integer() else number
    if definition.field_type is cf.FieldType.BOOLEAN:
        if text not in ("true", "false"):
            raise ValueError("must be true or false")
        return text == "true"
    return text


def custom_field_changes(
    definitions: Iterable[cf.CustomFieldView],
    given: Mapping[str, str | None],
    current: Mapping[str, Any],
) -> dict[str, Any]:
    """The values the form changes (a field left as it was is not sent), typed; refused
    naming each field whose text is not of its type (`extra.<key>`, as the service names it)."""
    changes: dict[str, Any] = {}
    errors: list[FieldError] = []
    for definition in definitions:
        if definition.key not in given:
            continue
        try:
            value = typed_value(definition, given[definition.key])
        except ValueError as error:
            errors.append(FieldError(field=f"extra.{definition.key}", message=str(error)))
            continue
        if value != current.get(definition.key):
            changes[definition.key] = value
    if errors:
        raise InvalidInput(errors)
    return changes


@dataclass
class Edits:
    services: Services

    async def edit_screen(self, caller: Caller, viewer: Viewer, customer_id: str) -> EditScreen:
        """The record (cut and on record as any read) and the field definitions, at once."""
        listing = cf.ListCustomFields(actor=caller.principal.actor)
        customer, fields = await asyncio.gather(
            Screens(self.services).customer(caller, viewer, customer_id),
            _part(True, self.services.ask("customer", listing, cf.CustomFieldList)),
        )
        return EditScreen(customer=customer, fields=fields)

    async def save_custom_fields(
        self,
        caller: Caller,
        writes: FieldWrites,
        screen: EditScreen,
        given: Mapping[str, str | None],
        *,
        expected_version: int | None,
        idempotency_key: str | None,
    ) -> bool:
        """Sends the changed values as one change of the customer (at the version the form was
        read at); False when nothing changed. A field the caller may not write is refused by
        name (403), as in the API; one it does not read (or no field) is refused too."""
        await writes.require_customer_writes((), given.keys())
        definitions = screen.editable(caller)
        beyond = sorted(given.keys() - {d.key for d in definitions})
        if beyond:
            # Written blind would overwrite a value the caller is not shown.
            raise InvalidInput(
                [FieldError(field=f"extra.{k}", message="not a field you read") for k in beyond]
            )
        changes = custom_field_changes(definitions, given, screen.customer.extra)
        if not changes:
            return False
        update = command(
            c.UpdateCustomer,
            caller.principal.actor,
            idempotency_key,
            customer_id=screen.customer.id,
            set=c.CustomerPatch(extra=changes),
            expected_version=expected_version,
        )
        await self.services.ask("customer", update, c.CustomerView)
        return True

    async def save_bank_account(
        self,
        caller: Caller,
        customer_id: str,
        replaced: str | None,
        account: d.BankAccountInput,
        idempotency_key: str | None,
    ) -> d.BankAccountView:
        """Adds the account; with `replaced`, that account is removed once the new one is in
        (an account cannot change in place: its IBAN is stored encrypted, never shown whole), so
        a refused IBAN leaves the old account as it was."""
        caller.grants.require_writes({"bank_accounts": G.BANK})
        actor = caller.principal.actor
        add = command(
            d.AddBankAccount, actor, idempotency_key, customer_id=customer_id, account=account
        )
        added = await self.services.ask("customer", add, d.BankAccountView)
        if replaced is not None:
            await self.remove_bank_account(caller, customer_id, replaced, idempotency_key)
        return added

    async def remove_bank_account(
        self, caller: Caller, customer_id: str, account_id: str, idempotency_key: str | None
    ) -> None:
        caller.grants.require_writes({"bank_accounts": G.BANK})
        remove = command(
            d.RemoveBankAccount,
            caller.principal.actor,
            idempotency_key,
            customer_id=customer_id,
            account_id=account_id,
        )
        await self.services.ask("customer", remove, type(None))

    async def notifications(
        self, caller: Caller, cursor: str | None, *, unread_only: bool
    ) -> t.NotificationPage:
        caller.grants.require_read(G.TASKS)
        query = t.ListNotifications(
            unread_only=unread_only, cursor=cursor, limit=50, actor=caller.principal.actor
        )
        return await self.services.ask("tasks", query, t.NotificationPage)

    async def mark_read(self, caller: Caller, ids: Sequence[str] | None) -> int:
        """The caller's notifications among `ids` read; all unread ones when None (as many
        as one command takes: a page of them)."""
        caller.grants.require_read(G.TASKS)
        actor = caller.principal.actor
        if ids is None:
            query = t.ListNotifications(unread_only=True, limit=MARK_AT_ONCE, actor=actor)
            unread = await self.services.ask("tasks", query, t.NotificationPage)
            ids = [n.id for n in unread.items]
        if not ids:
            return 0
        mark = t.MarkNotificationsRead(notification_ids=tuple(ids[:MARK_AT_ONCE]), actor=actor)
        return (await self.services.ask("tasks", mark, t.NotificationsMarked)).marked

    async def purposes(self, caller: Caller) -> cs.PurposeList:
        caller.grants.require_read(G.CONSENT)
        query = cs.ListPurposes(actor=caller.principal.actor)
        return await self.services.ask("consent", query, cs.PurposeList)

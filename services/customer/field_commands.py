"""Use cases: custom field definitions, managed through the API while the suite runs.

A new field is indexed right after it is defined (outside the transaction: index builds are
not transactional), so filtering on it is fast from then on, in every instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.custom_fields import FieldDefinition, check_definition
from services.customer.domain.errors import Conflict, NotFound
from services.customer.transactions import Done, reference

if TYPE_CHECKING:
    from services.customer.field_store import FieldStore
    from services.customer.store import CustomerStore
    from services.customer.transactions import Transactions
    from shared.contracts.custom_fields import (
        ChangeCustomField,
        DefineCustomField,
        RemoveCustomField,
    )
    from shared.mongo import Session


@dataclass
class FieldCommands:
    transactions: Transactions
    fields: FieldStore
    customers: CustomerStore

    async def define(self, command: DefineCustomField) -> dict[str, str]:
        check_definition(command.definition)

        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            key = command.definition.key
            if await self.fields.get(key, session=session) is not None:
                raise Conflict(f"a custom field {key} exists already", field="key")
            definition = FieldDefinition(
                **command.definition.model_dump(), created_at=now, updated_at=now
            )
            await self.fields.add(definition, session=session)
            return Done(ref=reference(key=key))

        # Two definitions of one key at once: the loser's transaction runs again and is refused.
        ref = await self.transactions.run(command, body)
        await self.customers.ensure_extra_index(command.definition.key)
        return ref

    async def change(self, command: ChangeCustomField) -> dict[str, str]:
        async def body(session: Session) -> Done:
            before = await self._definition(command.key, session)
            changes = command.changes.model_dump(exclude_none=True)
            after = before.model_copy(update=changes)
            check_definition(after.as_contract())
            if after == before:
                return Done(ref=reference(key=command.key))
            after = after.model_copy(
                update={"version": before.version + 1, "updated_at": datetime.now(UTC)}
            )
            await self.fields.replace(after, previous_version=before.version, session=session)
            return Done(ref=reference(key=command.key))

        return await self.transactions.run(command, body)

    async def remove(self, command: RemoveCustomField) -> dict[str, str]:
        async def body(session: Session) -> Done:
            await self._definition(command.key, session)
            holders = await self.customers.count_with_extra(command.key, session=session)
            if holders:
                raise Conflict(
                    f"{holders} customer(s) hold a value for {command.key}; remove those first",
                    field="key",
                )
            await self.fields.remove(command.key, session=session)
            return Done(ref=reference(key=command.key))

        return await self.transactions.run(command, body)

    async def _definition(self, key: str, session: Session) -> FieldDefinition:
        definition = await self.fields.get(key, session=session)
        if definition is None:
            raise NotFound("Custom field", f"no custom field {key}")
        return definition

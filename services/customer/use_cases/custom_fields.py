"""Use cases: custom field definitions, managed through the API while the suite runs.

A new field is indexed right after it is defined (outside the transaction: index builds are
not transactional), so filtering on it is fast from then on, in every instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.custom_fields import FieldDefinition, check_definition
from services.customer.domain.errors import Conflict, NotFound
from services.customer.use_cases.ports import reference
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.use_cases.ports import Clock, Customers, CustomFields, Ref
    from shared.contracts.custom_fields import (
        ChangeCustomField,
        DefineCustomField,
        RemoveCustomField,
    )
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner


@dataclass
class FieldCommands:
    unit: ChangeRunner
    fields: CustomFields
    customers: Customers
    clock: Clock

    async def define(self, command: DefineCustomField) -> Ref:
        now = self.clock()
        definition = FieldDefinition(
            **command.definition.model_dump(), created_at=now, updated_at=now
        )
        check_definition(definition)

        async def change(session: Session) -> Outcome[Ref]:
            key = definition.key
            if await self.fields.get(key, session=session) is not None:
                raise Conflict(f"a custom field {key} exists already", field="key")
            await self.fields.add(definition, session=session)
            return Outcome.kept(reference(key=key))

        # Two definitions of one key at once: the loser's transaction runs again and is refused.
        ref = await self.unit.run(command, change)
        await self.customers.index_custom_field(definition.key)
        return ref

    async def change(self, command: ChangeCustomField) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            before = await self._definition(command.key, session)
            after = before.model_copy(update=command.changes.model_dump(exclude_none=True))
            check_definition(after)
            if after == before:
                return Outcome.kept(reference(key=command.key))
            after = after.model_copy(
                update={"version": before.version + 1, "updated_at": self.clock()}
            )
            await self.fields.replace(after, previous_version=before.version, session=session)
            return Outcome.kept(reference(key=command.key))

        return await self.unit.run(command, change)

    async def remove(self, command: RemoveCustomField) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            await self._definition(command.key, session)
            holders = await self.customers.count_with_extra(command.key, session=session)
            if holders:
                raise Conflict(
                    f"{holders} customer(s) hold a value for {command.key}; remove those first",
                    field="key",
                )
            await self.fields.remove(command.key, session=session)
            return Outcome.kept(reference(key=command.key))

        return await self.unit.run(command, change)

    async def _definition(self, key: str, session: Session) -> FieldDefinition:
        definition = await self.fields.get(key, session=session)
        if definition is None:
            raise NotFound("Custom field", f"no custom field {key}")
        return definition

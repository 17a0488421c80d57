"""What the console's admin screens show and do, with the use cases and clients the API's
routes use: custom field definitions (`/v1/custom-fields`, for those who manage fields),
imports (`/v1/imports`: the upload streamed to ingest, recent jobs, a job's failed rows) and
dead-lettered messages (`/v1/dead-letters`). A screen's parts are gathered concurrently, so a
page is one round trip to the gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from dataclasses import dataclass

from services.gateway.domain.roles import Action
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.console_screens import Part, Unavailable
from services.gateway.use_cases.dead_letters import DeadLetters, ReadsLog
from services.gateway.use_cases.imports import ImportJobs, import_of, recent_imports
from services.gateway.use_cases.ports import Services
from shared.contracts import custom_fields as f
from shared.contracts.dead_letters import ParkedMessage, ParkedMessageList, Replayed
from shared.contracts.imports import ImportJob, ImportJobList, ImportKind
from shared.rpc import ServiceUnavailable

# The service that applies imported rows, and parks those it cannot apply under the job's id.
IMPORTS_APPLIED_BY = "customer"


@dataclass(frozen=True)
class ImportPage:
    job: ImportJob
    # Rows ingest accepted that the customer service could not apply; None when the caller's
    # roles do not show dead letters.
    parked: Part[ParkedMessageList]


@dataclass
class AdminScreens:
    services: Services
    ingest: ImportJobs
    dead_letters: DeadLetters

    # Custom field definitions.

    async def fields(self, caller: Caller) -> f.CustomFieldList:
        caller.grants.require(Action.MANAGE_FIELDS)
        query = f.ListCustomFields(actor=caller.principal.actor)
        return await self.services.ask("customer", query, f.CustomFieldList)

    async def field(self, caller: Caller, key: str) -> f.CustomFieldView:
        caller.grants.require(Action.MANAGE_FIELDS)
        query = f.GetCustomField(key=key, actor=caller.principal.actor)
        return await self.services.ask("customer", query, f.CustomFieldView)

    async def define_field(
        self, caller: Caller, definition: f.CustomFieldDefinition, idempotency_key: str | None
    ) -> f.CustomFieldView:
        caller.grants.require(Action.MANAGE_FIELDS)
        define = command(
            f.DefineCustomField, caller.principal.actor, idempotency_key, definition=definition
        )
        return await self.services.ask("customer", define, f.CustomFieldView)

    async def change_field(
        self,
        caller: Caller,
        key: str,
        changes: f.CustomFieldChanges,
        idempotency_key: str | None,
    ) -> f.CustomFieldView:
        caller.grants.require(Action.MANAGE_FIELDS)
        change = command(
            f.ChangeCustomField, caller.principal.actor, idempotency_key, key=key, changes=changes
        )
        return await self.services.ask("customer", change, f.CustomFieldView)

    async def remove_field(self, caller: Caller, key: str, idempotency_key: str | None) -> None:
        """Refused (409) while a customer holds a value for it."""
        caller.grants.require(Action.MANAGE_FIELDS)
        remove = command(f.RemoveCustomField, caller.principal.actor, idempotency_key, key=key)
        await self.services.ask("customer", remove, type(None))

    # Imports.

    async def imports(self, caller: Caller, limit: int = 50) -> ImportJobList:
        return await recent_imports(self.ingest, caller.principal.actor, caller.grants, limit=limit)

    async def start_import(
        self,
        caller: Caller,
        upload: AsyncIterable[bytes],
        *,
        content_type: str,
        kind: ImportKind,
        source: str | None,
    ) -> ImportJob:
        caller.grants.require(Action.IMPORT)
        return await self.ingest.start_import(
            upload,
            content_type=content_type,
            kind=kind,
            source=source,
            caller=caller.principal.actor,
            # A key bound to a shop imports that shop's orders only, as through the API.
            shop=caller.principal.shop,
        )

    async def import_page(self, caller: Caller, import_id: str) -> ImportPage:
        """The job, and at once the rows of it that were parked after ingest accepted them."""
        job, parked = await asyncio.gather(
            import_of(self.ingest, caller.principal.actor, caller.grants, import_id),
            self._parked_rows(caller, import_id),
        )
        return ImportPage(job=job, parked=parked)

    async def _parked_rows(self, caller: Caller, import_id: str) -> Part[ParkedMessageList]:
        if not caller.grants.may(Action.MANAGE_ACCESS):
            return None
        try:
            return await self.dead_letters.list(
                caller, IMPORTS_APPLIED_BY, limit=100, correlation_id=import_id
            )
        except ServiceUnavailable as error:
            return Unavailable(error.service)

    # Dead-lettered messages.

    def parking_services(self) -> tuple[str, ...]:
        return self.dead_letters.services()

    async def parked(self, caller: Caller, service: str) -> ParkedMessageList:
        return await self.dead_letters.list(caller, service)

    async def parked_message(
        self, caller: Caller, service: str, message_id: str, log: ReadsLog
    ) -> ParkedMessage:
        return await self.dead_letters.get(caller, service, message_id, log)

    async def replay(self, caller: Caller, service: str, message_id: str) -> Replayed:
        return await self.dead_letters.replay(caller, service, message_id)

"""Custom field definitions ("DataHub") in the public API: fields are data, not code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from services.gateway.callers import Caller
from services.gateway.commands import IdempotencyKey, command
from services.gateway.services import Services
from shared.contracts import custom_fields as f

FieldKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


def custom_fields_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/custom-fields", tags=["custom fields"])

    async def send(message: Any) -> Any:
        return await services.ask("customer", message)

    @router.get("", response_model=f.CustomFieldList)
    async def list_fields(caller: Caller) -> Any:
        return await send(f.ListCustomFields(actor=caller))

    @router.post("", response_model=f.CustomFieldView, status_code=status.HTTP_201_CREATED)
    async def define_field(
        definition: f.CustomFieldDefinition, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Any:
        """In force at once: customers' `extra.<key>` is validated and filterable by it."""
        return await send(
            command(f.DefineCustomField, caller, idempotency_key, definition=definition)
        )

    @router.get("/{key}", response_model=f.CustomFieldView)
    async def get_field(key: FieldKey, caller: Caller) -> Any:
        return await send(f.GetCustomField(key=key, actor=caller))

    @router.patch("/{key}", response_model=f.CustomFieldView)
    async def change_field(
        key: FieldKey,
        changes: f.CustomFieldChanges,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """Key and type stay; label, required, enum values, PII flag and group may change."""
        return await send(
            command(f.ChangeCustomField, caller, idempotency_key, key=key, changes=changes)
        )

    @router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT)
    async def remove_field(
        key: FieldKey, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Response:
        """Refused (409) while any customer holds a value for the field."""
        await send(command(f.RemoveCustomField, caller, idempotency_key, key=key))
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router

"""Custom field definitions ("DataHub") in the public API: fields are data, not code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.dependencies import Caller, IdempotencyKey, ServicesDep, allowed
from services.gateway.use_cases.commands import command
from shared.contracts import custom_fields as f

FieldKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,39}$")]

router = APIRouter(prefix="/v1/custom-fields", tags=["custom fields"])
# Reading the definitions is open to every principal (they hold no personal data).
_MANAGE = [allowed(action=Action.MANAGE_FIELDS)]


@router.get("")
async def list_fields(caller: Caller, services: ServicesDep) -> f.CustomFieldList:
    return await services.ask("customer", f.ListCustomFields(actor=caller), f.CustomFieldList)


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=_MANAGE)
async def define_field(
    definition: f.CustomFieldDefinition,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> f.CustomFieldView:
    """In force at once: customers' `extra.<key>` is validated and filterable by it."""
    define = command(f.DefineCustomField, caller, idempotency_key, definition=definition)
    return await services.ask("customer", define, f.CustomFieldView)


@router.get("/{key}")
async def get_field(key: FieldKey, caller: Caller, services: ServicesDep) -> f.CustomFieldView:
    query = f.GetCustomField(key=key, actor=caller)
    return await services.ask("customer", query, f.CustomFieldView)


@router.patch("/{key}", dependencies=_MANAGE)
async def change_field(
    key: FieldKey,
    changes: f.CustomFieldChanges,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> f.CustomFieldView:
    """Key and type stay; label, required, enum values, PII flag and group may change."""
    change = command(f.ChangeCustomField, caller, idempotency_key, key=key, changes=changes)
    return await services.ask("customer", change, f.CustomFieldView)


@router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT, dependencies=_MANAGE)
async def remove_field(
    key: FieldKey, caller: Caller, services: ServicesDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """Refused (409) while any customer holds a value for the field."""
    remove = command(f.RemoveCustomField, caller, idempotency_key, key=key)
    await services.ask("customer", remove, type(None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)

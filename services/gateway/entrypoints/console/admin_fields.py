"""The console's custom field definitions: the list, a new field, a field's changes and its
removal (refused while customers hold values), as `/v1/custom-fields` offers them; for those
who manage fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.console.admin_web import AdminDep, refusal_of
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    FormData,
    SignedInCaller,
    form_values,
    given,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.console_admin import AdminScreens
from services.gateway.use_cases.ports import Refused
from shared.contracts import custom_fields as f
from shared.errors import DomainError

router = APIRouter(
    prefix=f"{PREFIX}/admin/fields",
    route_class=ConsoleRoute,
    include_in_schema=False,
    dependencies=[allowed(action=Action.MANAGE_FIELDS)],
)
FieldKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
FIELD_TYPES = tuple(t.value for t in f.FieldType)


def _spec(form: FormData) -> dict[str, object]:
    """What the form says of a field's changeable parts (blank enum values: none)."""
    values = (given(form, "enum_values") or "").replace(",", "\n").splitlines()
    return {
        "label": given(form, "label") or "",
        "required": given(form, "required") is not None,
        "enum_values": tuple(v.strip() for v in values if v.strip()),
        "pii": given(form, "pii") is not None,
        "access_group": given(form, "access_group") or "custom_fields",
    }


async def _fields_page(
    request: Request,
    caller: Caller,
    admin: AdminScreens,
    *,
    values: FormData | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "admin_fields.html",
        status_code=status_code,
        fields=(await admin.fields(caller)).items,
        field_types=FIELD_TYPES,
        values=form_values(values),
        errors=errors or {},
    )


async def _field_page(
    request: Request,
    caller: Caller,
    admin: AdminScreens,
    key: str,
    *,
    values: FormData | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "admin_field.html",
        status_code=status_code,
        field=await admin.field(caller, key),
        values=form_values(values),
        errors=errors or {},
    )


@router.get("")
async def fields(request: Request, caller: SignedInCaller, admin: AdminDep) -> HTMLResponse:
    return await _fields_page(request, caller, admin)


@router.post("")
async def define_field(
    request: Request, caller: SignedInCaller, admin: AdminDep, form: Form
) -> Response:
    try:
        definition = f.CustomFieldDefinition.model_validate(
            {
                "key": given(form, "key") or "",
                "field_type": given(form, "field_type") or "",
                **_spec(form),
            }
        )
        await admin.define_field(caller, definition, given(form, "idempotency_key"))
    except (Refused, DomainError, ValidationError) as error:
        fields, status = refusal_of(error)
        return await _fields_page(
            request, caller, admin, values=form, errors=fields, status_code=status
        )
    return RedirectResponse(f"{PREFIX}/admin/fields", status_code=303)


@router.get("/{key}")
async def field(
    request: Request, key: FieldKey, caller: SignedInCaller, admin: AdminDep
) -> HTMLResponse:
    return await _field_page(request, caller, admin, key)


@router.post("/{key}")
async def change_field(
    request: Request, key: FieldKey, caller: SignedInCaller, admin: AdminDep, form: Form
) -> Response:
    try:
        changes = f.CustomFieldChanges.model_validate(_spec(form))
        await admin.change_field(caller, key, changes, given(form, "idempotency_key"))
    except (Refused, DomainError, ValidationError) as error:
        fields, status = refusal_of(error)
        return await _field_page(
            request, caller, admin, key, values=form, errors=fields, status_code=status
        )
    return RedirectResponse(f"{PREFIX}/admin/fields", status_code=303)


@router.post("/{key}/remove")
async def remove_field(
    request: Request, key: FieldKey, caller: SignedInCaller, admin: AdminDep, form: Form
) -> Response:
    try:
        await admin.remove_field(caller, key, given(form, "idempotency_key"))
    except (Refused, DomainError) as error:
        fields, status = refusal_of(error)
        return await _field_page(request, caller, admin, key, errors=fields, status_code=status)
    return RedirectResponse(f"{PREFIX}/admin/fields", status_code=303)

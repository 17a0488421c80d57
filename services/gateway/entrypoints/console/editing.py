"""Console edit forms of a customer: the profile and the custom field values (each with the
version it was read at, so that a change made meanwhile is explained instead of overwritten),
the addresses (added, changed, removed), the bank accounts (added, replaced, removed; shown
masked to whoever reads them masked) and the notes (edited, pinned, removed); a refused value
is shown beside its field, as the service named it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.gateway.domain.policy import WRITE_GROUPS, AccessDenied
from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    EditsDep,
    Form,
    FormData,
    SignedInCaller,
    ViewerDep,
    first,
    form_refusal,
    form_values,
    given,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.console_edits import Edits
from services.gateway.use_cases.console_screens import MergedElsewhere
from services.gateway.use_cases.console_view import Viewer
from services.gateway.use_cases.ports import Refused
from shared.contracts import customer_details as d
from shared.contracts import customer_notes as n
from shared.contracts import customers as c
from shared.contracts.envelope import Id
from shared.errors import DomainError

router = APIRouter(prefix=f"{PREFIX}/customers", route_class=ConsoleRoute, include_in_schema=False)
CustomerId = Annotated[Id, Path()]
ItemId = Annotated[Id, Path()]

PROFILE_FIELDS = ("title", "first_name", "last_name", "company", "language")
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country",
    "phone",
)
BANK_FIELDS = ("iban", "bic", "holder")
# A custom field's input is named `extra.<key>`, as the services name its errors: no key can
# clash with the form's own fields.
EXTRA = "extra."
NEW = "new"
STALE = (
    "Someone changed this customer meanwhile. The form now shows their version: "
    "check it and make your change again."
)


async def _edit_page(
    request: Request,
    customer_id: str,
    caller: Caller,
    edits: Edits,
    viewer: Viewer,
    *,
    form: str | None = None,
    values: FormData | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    screen = await edits.edit_screen(caller, viewer, customer_id)
    return page(
        request,
        "edit.html",
        status_code=status_code,
        c=screen.customer,
        custom_fields=screen.editable(caller),
        form=form,
        values=form_values(values),
        errors=errors or {},
        notice=notice,
        profile_fields=PROFILE_FIELDS,
        address_fields=ADDRESS_FIELDS,
    )


def _stale(status: int, fields: dict[str, str]) -> bool:
    """The service refused the version the form was read at: it is not the current one."""
    return status == 409 and "expected_version" in fields


async def _refused(
    request: Request,
    customer_id: str,
    caller: Caller,
    edits: Edits,
    viewer: Viewer,
    error: Exception,
    form_id: str,
    form: FormData,
) -> HTMLResponse:
    """The edit screen again with the refusal: a stale version explained (the form then shows
    their version: nothing of it is lost), otherwise each message beside its field in the form
    that was sent, with what was typed kept."""
    refused = form_refusal(error, frozenset({400, 403, 409, 422}))
    if refused is None:
        raise error
    fields, status = refused
    if _stale(status, fields):
        return await _edit_page(
            request, customer_id, caller, edits, viewer, notice=STALE, status_code=409
        )
    return await _edit_page(
        request,
        customer_id,
        caller,
        edits,
        viewer,
        form=form_id,
        values=form,
        errors=fields,
        status_code=status,
    )


@router.get("/{customer_id}/edit", dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))])
async def edit(
    request: Request,
    customer_id: CustomerId,
    caller: SignedInCaller,
    edits: EditsDep,
    viewer: ViewerDep,
) -> Response:
    try:
        return await _edit_page(request, customer_id, caller, edits, viewer)
    except MergedElsewhere as merged:
        return RedirectResponse(f"{PREFIX}/customers/{merged.master_id}/edit", status_code=303)


@router.post("/{customer_id}/profile")
async def change_profile(
    request: Request,
    customer_id: CustomerId,
    caller: SignedInCaller,
    edits: EditsDep,
    viewer: ViewerDep,
    form: Form,
) -> Response:
    values = {f: given(form, f) for f in PROFILE_FIELDS}
    version = given(form, "version")
    try:
        caller.grants.require_writes({f: WRITE_GROUPS[f] for f in PROFILE_FIELDS})
        patch = c.CustomerPatch(**{f: v for f, v in values.items() if v is not None})
        update = command(
            c.UpdateCustomer,
            caller.principal.actor,
            given(form, "idempotency_key"),
            customer_id=customer_id,
            set=patch,
            clear=tuple(f for f, v in values.items() if v is None),
            expected_version=int(version) if version and version.isdigit() else None,
        )
        await edits.services.ask("customer", update, c.CustomerView)
    except (Refused, DomainError, ValidationError) as error:
        return await _refused(request, customer_id, caller, edits, viewer, error, "profile", form)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}", status_code=303)


@router.post(
    "/{customer_id}/addresses/{address_id}",
    dependencies=[allowed(writes=(FieldGroup.ADDRESSES,))],
)
async def save_address(
    request: Request,
    customer_id: CustomerId,
    address_id: Annotated[Id, Path()],
    caller: SignedInCaller,
    edits: EditsDep,
    viewer: ViewerDep,
    form: Form,
) -> Response:
    """`address_id` `new` adds one; otherwise the address's content and defaults change."""
    fields = {f: given(form, f) for f in ADDRESS_FIELDS}
    defaults = {
        "default_billing": given(form, "default_billing") is not None,
        "default_shipping": given(form, "default_shipping") is not None,
    }
    try:
        caller.grants.require_writes({"addresses": FieldGroup.ADDRESSES})
        address = d.AddressInput(**{k: v for k, v in fields.items() if v is not None})
        actor, key = caller.principal.actor, given(form, "idempotency_key")
        if address_id == NEW:
            add = command(
                d.AddAddress, actor, key, customer_id=customer_id, address=address, **defaults
            )
            await edits.services.ask("customer", add, d.AddressView)
        else:
            change = command(
                d.ChangeAddress,
                actor,
                key,
                customer_id=customer_id,
                address_id=address_id,
                address=address,
                **defaults,
            )
            await edits.services.ask("customer", change, d.AddressView)
    except (Refused, DomainError, ValidationError) as error:
        return await _refused(request, customer_id, caller, edits, viewer, error, address_id, form)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#addresses-h", status_code=303)


@router.post(
    "/{customer_id}/addresses/{address_id}/remove",
    dependencies=[allowed(writes=(FieldGroup.ADDRESSES,))],
)
async def remove_address(
    customer_id: CustomerId,
    address_id: ItemId,
    caller: SignedInCaller,
    edits: EditsDep,
    form: Form,
) -> RedirectResponse:
    caller.grants.require_writes({"addresses": FieldGroup.ADDRESSES})
    remove = command(
        d.RemoveAddress,
        caller.principal.actor,
        given(form, "idempotency_key"),
        customer_id=customer_id,
        address_id=address_id,
    )
    await edits.services.ask("customer", remove, type(None))
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}/edit", status_code=303)


def _version(form: FormData) -> int | None:
    version = given(form, "version")
    return int(version) if version and version.isdigit() else None


@router.post(
    "/{customer_id}/custom-fields",
    # Each custom field names its own group: written values are checked field by field.
    dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))],
)
async def save_custom_fields(
    request: Request,
    customer_id: CustomerId,
    caller: SignedInCaller,
    edits: EditsDep,
    viewer: ViewerDep,
    form: Form,
) -> Response:
    """The values of the fields the caller reads and writes; a blank one removes the value."""
    values = {name[len(EXTRA) :]: given(form, name) for name in form if name.startswith(EXTRA)}
    try:
        screen = await edits.edit_screen(caller, viewer, customer_id)
        await edits.save_custom_fields(
            caller,
            viewer,
            screen,
            values,
            expected_version=_version(form),
            idempotency_key=given(form, "idempotency_key"),
        )
    except AccessDenied:
        raise  # may name fields the form does not show: the refusal's page names them all
    except (Refused, DomainError, ValidationError) as error:
        return await _refused(request, customer_id, caller, edits, viewer, error, "fields", form)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#fields-h", status_code=303)


@router.post(
    "/{customer_id}/bank-accounts/{account_id}",
    dependencies=[allowed(writes=(FieldGroup.BANK,))],
)
async def save_bank_account(
    request: Request,
    customer_id: CustomerId,
    account_id: ItemId,
    caller: SignedInCaller,
    edits: EditsDep,
    viewer: ViewerDep,
    form: Form,
) -> Response:
    """`account_id` `new` adds one; otherwise the account is replaced by the one typed in."""
    fields = {f: given(form, f) for f in BANK_FIELDS}
    try:
        account = d.BankAccountInput(**{k: v for k, v in fields.items() if v is not None})
        replaced = None if account_id == NEW else account_id
        await edits.save_bank_account(
            caller, customer_id, replaced, account, given(form, "idempotency_key")
        )
    except (Refused, DomainError, ValidationError) as error:
        return await _refused(
            request, customer_id, caller, edits, viewer, error, f"bank-{account_id}", form
        )
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#bank-h", status_code=303)


@router.post(
    "/{customer_id}/bank-accounts/{account_id}/remove",
    dependencies=[allowed(writes=(FieldGroup.BANK,))],
)
async def remove_bank_account(
    customer_id: CustomerId,
    account_id: ItemId,
    caller: SignedInCaller,
    edits: EditsDep,
    form: Form,
) -> RedirectResponse:
    await edits.remove_bank_account(caller, customer_id, account_id, given(form, "idempotency_key"))
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}/edit#bank-h", status_code=303)


@router.post(
    "/{customer_id}/notes/{note_id}",
    dependencies=[allowed(writes=(FieldGroup.NOTES,))],
)
async def change_note(
    customer_id: CustomerId,
    note_id: ItemId,
    caller: SignedInCaller,
    edits: EditsDep,
    form: Form,
) -> RedirectResponse:
    """The note's text (when the form sends one) and/or its pin (`pinned` true or false)."""
    caller.grants.require_writes({"notes": FieldGroup.NOTES})
    text, pinned = first(form, "text"), first(form, "pinned")
    change = command(
        n.ChangeNote,
        caller.principal.actor,
        given(form, "idempotency_key"),
        customer_id=customer_id,
        note_id=note_id,
        # A text sent blank is refused by the contract (a note has text), not ignored.
        text=None if text is None else text.strip(),
        pinned=None if pinned is None else pinned == "true",
    )
    await edits.services.ask("customer", change, n.NoteView)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#notes", status_code=303)


@router.post(
    "/{customer_id}/notes/{note_id}/remove",
    dependencies=[allowed(writes=(FieldGroup.NOTES,))],
)
async def remove_note(
    customer_id: CustomerId,
    note_id: ItemId,
    caller: SignedInCaller,
    edits: EditsDep,
    form: Form,
) -> RedirectResponse:
    caller.grants.require_writes({"notes": FieldGroup.NOTES})
    remove = command(
        n.RemoveNote,
        caller.principal.actor,
        given(form, "idempotency_key"),
        customer_id=customer_id,
        note_id=note_id,
    )
    await edits.services.ask("customer", remove, type(None))
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#notes", status_code=303)

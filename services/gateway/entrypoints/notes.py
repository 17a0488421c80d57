"""Internal notes on a customer in the public API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.dependencies import (
    Caller,
    CustomerId,
    IdempotencyKey,
    ItemId,
    ServicesDep,
    Viewer,
    allowed,
)
from services.gateway.use_cases.commands import command
from shared.contracts import customer_notes as n
from shared.contracts.envelope import Contract

NoteId = ItemId

router = APIRouter(prefix="/v1/customers/{customer_id}/notes", tags=["notes"])
_READ = [allowed(reads=(FieldGroup.NOTES,))]
_WRITE = [allowed(writes=(FieldGroup.NOTES,))]


class NewNote(Contract):
    text: n.NoteText
    pinned: bool = False


class NoteChange(Contract):
    text: n.NoteText | None = None
    pinned: bool | None = None


@router.get("", dependencies=_READ)
async def list_notes(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> n.NotePage:
    """Pinned notes first, then newest first."""
    query = n.ListNotes(customer_id=customer_id, limit=limit, cursor=cursor, actor=caller)
    page = await services.ask("customer", query, n.NotePage)
    await viewer.record(customer_id, FieldGroup.NOTES, bool(page.items))
    return page


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=_WRITE)
async def add_note(
    customer_id: CustomerId,
    note: NewNote,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> n.NoteView:
    add = command(
        n.AddNote,
        caller,
        idempotency_key,
        customer_id=customer_id,
        text=note.text,
        pinned=note.pinned,
    )
    return await services.ask("customer", add, n.NoteView)


@router.patch("/{note_id}", dependencies=_WRITE)
async def change_note(
    customer_id: CustomerId,
    note_id: NoteId,
    change: NoteChange,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> n.NoteView:
    edit = command(
        n.ChangeNote,
        caller,
        idempotency_key,
        customer_id=customer_id,
        note_id=note_id,
        text=change.text,
        pinned=change.pinned,
    )
    return await services.ask("customer", edit, n.NoteView)


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=_WRITE)
async def remove_note(
    customer_id: CustomerId,
    note_id: NoteId,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    remove = command(
        n.RemoveNote, caller, idempotency_key, customer_id=customer_id, note_id=note_id
    )
    await services.ask("customer", remove, type(None))
    return Response(status_code=status.HTTP_204_NO_CONTENT)

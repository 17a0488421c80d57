"""Internal notes on a customer in the public API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from services.gateway.callers import Caller
from services.gateway.commands import IdempotencyKey, command
from services.gateway.services import Services
from shared.contracts import customer_notes as n
from shared.contracts.envelope import Contract

CustomerId = Annotated[str, Path(min_length=1, max_length=64)]
NoteId = Annotated[str, Path(min_length=1, max_length=64)]


class NewNote(Contract):
    text: n.NoteText
    pinned: bool = False


class NoteChange(Contract):
    text: n.NoteText | None = None
    pinned: bool | None = None


def notes_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/customers/{customer_id}/notes", tags=["notes"])

    async def send(message: Any) -> Any:
        return await services.ask("customer", message)

    @router.get("", response_model=n.NotePage)
    async def list_notes(
        customer_id: CustomerId,
        caller: Caller,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Any:
        """Pinned notes first, then newest first."""
        return await send(
            n.ListNotes(customer_id=customer_id, limit=limit, cursor=cursor, actor=caller)
        )

    @router.post("", response_model=n.NoteView, status_code=status.HTTP_201_CREATED)
    async def add_note(
        customer_id: CustomerId,
        note: NewNote,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        return await send(
            command(
                n.AddNote, caller, idempotency_key, customer_id=customer_id, **note.model_dump()
            )
        )

    @router.patch("/{note_id}", response_model=n.NoteView)
    async def change_note(
        customer_id: CustomerId,
        note_id: NoteId,
        change: NoteChange,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        return await send(
            command(
                n.ChangeNote,
                caller,
                idempotency_key,
                customer_id=customer_id,
                note_id=note_id,
                **change.model_dump(),
            )
        )

    @router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def remove_note(
        customer_id: CustomerId,
        note_id: NoteId,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        await send(
            command(n.RemoveNote, caller, idempotency_key, customer_id=customer_id, note_id=note_id)
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router

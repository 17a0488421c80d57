"""Internal notes on a customer: written by staff, never shown to the customer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import NOT_BLANK, Actor, Command, Contract, Event, Id, Query

NoteText = Annotated[str, Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)]


class NoteView(Contract):
    id: str
    customer_id: str
    text: str
    pinned: bool
    author: Actor
    created_at: AwareDatetime
    updated_at: AwareDatetime


class NotePage(Contract):
    items: tuple[NoteView, ...]
    next_cursor: str | None = None


class AddNote(Command):
    type: Literal["customer.note.add.v1"] = "customer.note.add.v1"
    customer_id: Id
    text: NoteText
    pinned: bool = False


class ChangeNote(Command):
    type: Literal["customer.note.change.v1"] = "customer.note.change.v1"
    customer_id: Id
    note_id: Id
    text: NoteText | None = None
    pinned: bool | None = None


class RemoveNote(Command):
    type: Literal["customer.note.remove.v1"] = "customer.note.remove.v1"
    customer_id: Id
    note_id: Id


class ListNotes(Query):
    """Pinned notes first, then newest first."""

    type: Literal["customer.notes.list.v1"] = "customer.notes.list.v1"
    customer_id: Id
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=200)] | None = None


class NoteEvent(Event):
    """What happened to a note; the text stays in the customer service."""

    customer_id: str
    note_id: str
    pinned: bool


class NoteAdded(NoteEvent):
    type: Literal["customer.note_added.v1"] = "customer.note_added.v1"


class NoteChanged(NoteEvent):
    type: Literal["customer.note_changed.v1"] = "customer.note_changed.v1"


class NoteRemoved(NoteEvent):
    type: Literal["customer.note_removed.v1"] = "customer.note_removed.v1"

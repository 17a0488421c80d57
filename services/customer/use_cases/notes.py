"""Use cases: internal notes on a customer, each change in the history and announced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.errors import NotFound
from services.customer.domain.notes import Note
from services.customer.use_cases.ports import reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customer_notes import NoteAdded, NoteChanged, NoteRemoved
from shared.contracts.customers import FieldChange
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from datetime import datetime

    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, Notes, Ref
    from shared.contracts.customer_notes import AddNote, ChangeNote, RemoveNote
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

    _NoteCommand = AddNote | ChangeNote | RemoveNote


@dataclass
class NoteCommands:
    unit: ChangeRunner
    changes: Changes
    notes: Notes
    clock: Clock

    async def add(self, command: AddNote) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            customer = await self.changes.load_open(command.customer_id, session=session)
            note = Note(
                id=self.notes.new_id(),
                customer_id=customer.id,
                text=command.text,
                pinned=command.pinned,
                author=command.actor,
                created_at=now,
                updated_at=now,
            )
            await self.notes.put(note, session=session)
            await self._record(command, note, ActivityKind.NOTE_ADDED, (), now, session)
            return Outcome.kept(
                reference(customer_id=customer.id, note_id=note.id),
                [_event(command, NoteAdded, note)],
            )

        return await self.unit.run(command, change)

    async def change(self, command: ChangeNote) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            await self.changes.load_open(command.customer_id, session=session)
            before = await self._note(command.customer_id, command.note_id, session)
            update = {
                k: v
                for k, v in (("text", command.text), ("pinned", command.pinned))
                if v is not None and getattr(before, k) != v
            }
            if not update:
                return Outcome.kept(reference(customer_id=before.customer_id, note_id=before.id))
            after = before.model_copy(update=update | {"updated_at": now})
            await self.notes.put(after, session=session)
            changes = tuple(
                FieldChange(field=f"notes.{before.id}.{k}", before=getattr(before, k), after=v)
                for k, v in update.items()
            )
            await self._record(command, after, ActivityKind.NOTE_CHANGED, changes, now, session)
            return Outcome.kept(
                reference(customer_id=after.customer_id, note_id=after.id),
                [_event(command, NoteChanged, after)],
            )

        return await self.unit.run(command, change)

    async def remove(self, command: RemoveNote) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            now = self.clock()
            await self.changes.load_open(command.customer_id, session=session)
            note = await self._note(command.customer_id, command.note_id, session)
            await self.notes.remove(note.id, session=session)
            changes = (FieldChange(field=f"notes.{note.id}.text", before=note.text, after=None),)
            await self._record(command, note, ActivityKind.NOTE_REMOVED, changes, now, session)
            return Outcome.kept(
                reference(customer_id=note.customer_id), [_event(command, NoteRemoved, note)]
            )

        return await self.unit.run(command, change)

    async def _note(self, customer_id: str, note_id: str, session: Session) -> Note:
        note = await self.notes.get(customer_id, note_id, session=session)
        if note is None:
            raise NotFound("Note", f"customer {customer_id} has no note {note_id}")
        return note

    async def _record(
        self,
        command: _NoteCommand,
        note: Note,
        kind: ActivityKind,
        changes: tuple[FieldChange, ...],
        now: datetime,
        session: Session,
    ) -> None:
        await self.changes.record(
            note.customer_id,
            message=command,
            kind=kind,
            at=now,
            session=session,
            changes=changes,
            details={"note_id": note.id, "pinned": note.pinned},
        )


def _event(
    command: _NoteCommand,
    event: type[NoteAdded] | type[NoteChanged] | type[NoteRemoved],
    note: Note,
) -> NoteAdded | NoteChanged | NoteRemoved:
    return command.caused(event, customer_id=note.customer_id, note_id=note.id, pinned=note.pinned)

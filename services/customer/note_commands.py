"""Use cases: internal notes on a customer, each change in the history and announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bson import ObjectId

from services.customer.domain.errors import NotFound
from services.customer.domain.notes import Note
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customer_notes import NoteAdded, NoteChanged, NoteRemoved
from shared.contracts.customers import FieldChange

if TYPE_CHECKING:
    from services.customer.note_store import NoteStore
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.customer_notes import AddNote, ChangeNote, RemoveNote
    from shared.mongo import Session


@dataclass
class NoteCommands:
    transactions: Transactions
    records: Records
    notes: NoteStore

    async def add(self, command: AddNote) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            customer = await self.records.load_open(command.customer_id, session=session)
            note = Note(
                # Time-ordered: notes list newest first by id.
                id=str(ObjectId()),
                customer_id=customer.id,
                text=command.text,
                pinned=command.pinned,
                author=command.actor,
                created_at=now,
                updated_at=now,
            )
            await self.notes.put(note, session=session)
            await self._record(command, note, ActivityKind.NOTE_ADDED, (), now, session)
            return Done(
                ref=reference(customer_id=customer.id, note_id=note.id),
                events=[self._event(command, NoteAdded, note)],
            )

        return await self.transactions.run(command, body)

    async def change(self, command: ChangeNote) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            await self.records.load_open(command.customer_id, session=session)
            before = await self._note(command.customer_id, command.note_id, session)
            update = {
                k: v
                for k, v in (("text", command.text), ("pinned", command.pinned))
                if v is not None and getattr(before, k) != v
            }
            if not update:
                return Done(ref=reference(customer_id=before.customer_id, note_id=before.id))
            after = before.model_copy(update=update | {"updated_at": now})
            await self.notes.put(after, session=session)
            changes = tuple(
                FieldChange(field=f"notes.{before.id}.{k}", before=getattr(before, k), after=v)
                for k, v in update.items()
            )
            await self._record(command, after, ActivityKind.NOTE_CHANGED, changes, now, session)
            return Done(
                ref=reference(customer_id=after.customer_id, note_id=after.id),
                events=[self._event(command, NoteChanged, after)],
            )

        return await self.transactions.run(command, body)

    async def remove(self, command: RemoveNote) -> dict[str, str]:
        async def body(session: Session) -> Done:
            now = datetime.now(UTC)
            await self.records.load_open(command.customer_id, session=session)
            note = await self._note(command.customer_id, command.note_id, session)
            await self.notes.remove(note.id, session=session)
            changes = (FieldChange(field=f"notes.{note.id}.text", before=note.text, after=None),)
            await self._record(command, note, ActivityKind.NOTE_REMOVED, changes, now, session)
            return Done(
                ref=reference(customer_id=note.customer_id),
                events=[self._event(command, NoteRemoved, note)],
            )

        return await self.transactions.run(command, body)

    async def _note(self, customer_id: str, note_id: str, session: Session) -> Note:
        note = await self.notes.get(customer_id, note_id, session=session)
        if note is None:
            raise NotFound("Note", f"customer {customer_id} has no note {note_id}")
        return note

    async def _record(
        self,
        command: AddNote | ChangeNote | RemoveNote,
        note: Note,
        kind: ActivityKind,
        changes: tuple[FieldChange, ...],
        now: datetime,
        session: Session,
    ) -> None:
        activity = self.records.activity(
            note.customer_id,
            message=command,
            kind=kind,
            at=now,
            changes=changes,
            details={"note_id": note.id, "pinned": note.pinned},
        )
        await self.records.history.add([activity], session=session)

    @staticmethod
    def _event(
        command: AddNote | ChangeNote | RemoveNote,
        event: type[NoteAdded] | type[NoteChanged] | type[NoteRemoved],
        note: Note,
    ) -> NoteAdded | NoteChanged | NoteRemoved:
        return command.caused(
            event, customer_id=note.customer_id, note_id=note.id, pinned=note.pinned
        )

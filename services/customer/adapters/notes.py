"""Internal notes (the `notes` collection): pinned first, then newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bson import ObjectId
from pymongo import DESCENDING

from services.customer.adapters import paging
from services.customer.adapters.bson import from_document, to_document
from services.customer.domain.notes import Note

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session


class MongoNotes:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.notes = db["notes"]

    async def ensure_indexes(self) -> None:
        await self.notes.create_index(
            [("customer_id", DESCENDING), ("pinned", DESCENDING), ("_id", DESCENDING)]
        )

    def new_id(self) -> str:
        # Time-ordered: notes list newest first by id.
        return str(ObjectId())

    async def get(
        self, customer_id: str, note_id: str, *, session: Session | None = None
    ) -> Note | None:
        doc = await self.notes.find_one(
            {"_id": note_id, "customer_id": customer_id}, session=session
        )
        return from_document(Note, doc) if doc else None

    async def put(self, note: Note, *, session: Session) -> None:
        await self.notes.replace_one(
            {"_id": note.id}, to_document(note), upsert=True, session=session
        )

    async def remove(self, note_id: str, *, session: Session) -> None:
        await self.notes.delete_one({"_id": note_id}, session=session)

    async def remove_all(self, customer_id: str, *, session: Session) -> int:
        result = await self.notes.delete_many({"customer_id": customer_id}, session=session)
        return result.deleted_count

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int:
        result = await self.notes.update_many(
            {"customer_id": {"$in": from_ids}}, {"$set": {"customer_id": to_id}}, session=session
        )
        return result.modified_count

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Note], str | None]:
        found, next_cursor = await paging.page(
            self.notes,
            {"customer_id": customer_id},
            field="pinned",
            descending=True,
            cursor=cursor,
            limit=limit,
        )
        return [from_document(Note, doc) for doc in found], next_cursor

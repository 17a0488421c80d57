"""The ledger in MongoDB (`ledger` collection): one document per entry, `_id` = the entry's id.

Append-only: this adapter inserts entries and, on erasure, replaces the personal data in them;
it has no other way to change or remove one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, DESCENDING

from services.consent.domain.ledger import LedgerEntry

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document, Session


class MongoLedger:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        # One position per entry in a customer's ledger: two transactions appending to the same
        # ledger at once collide here, and the loser runs again on the winner's entries.
        await self._collection.create_index(
            [("customer_id", ASCENDING), ("seq", ASCENDING)], unique=True
        )
        await self._collection.create_index(
            [("customer_id", ASCENDING), ("purpose", ASCENDING), ("seq", ASCENDING)]
        )
        await self._collection.create_index("message_id")

    async def entries(
        self, customer_id: str, *, session: Session | None = None
    ) -> list[LedgerEntry]:
        """The customer's whole ledger, oldest entry first."""
        cursor = self._collection.find({"customer_id": customer_id}, session=session)
        return [_entry(doc) async for doc in cursor.sort("seq", ASCENDING)]

    async def entries_of(
        self, customer_ids: Sequence[str], *, session: Session
    ) -> list[LedgerEntry]:
        cursor = self._collection.find(
            {"customer_id": {"$in": list(customer_ids)}}, session=session
        )
        return [_entry(doc) async for doc in cursor]

    async def entry(self, entry_id: str, *, session: Session | None = None) -> LedgerEntry | None:
        doc = await self._collection.find_one({"_id": entry_id}, session=session)
        return _entry(doc) if doc else None

    async def entry_of_message(
        self, message_id: str, *, session: Session | None = None
    ) -> LedgerEntry | None:
        doc = await self._collection.find_one({"message_id": message_id}, session=session)
        return _entry(doc) if doc else None

    async def page(
        self, customer_id: str, *, purpose: str | None, before_seq: int | None, limit: int
    ) -> list[LedgerEntry]:
        """Up to `limit` entries before position `before_seq`, newest first."""
        query: dict[str, Any] = {"customer_id": customer_id}
        if purpose is not None:
            query["purpose"] = purpose
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        cursor = self._collection.find(query).sort("seq", DESCENDING).limit(limit)
        return [_entry(doc) async for doc in cursor]

    async def append(self, entry: LedgerEntry, *, session: Session) -> None:
        await self._collection.insert_one(_document(entry), session=session)

    async def append_many(self, entries: Sequence[LedgerEntry], *, session: Session) -> None:
        if entries:
            await self._collection.insert_many([_document(e) for e in entries], session=session)

    async def pseudonymise(self, entry: LedgerEntry, *, session: Session) -> None:
        """The one change a ledger entry ever gets: its personal data replaced (erasure)."""
        assert entry.pseudonymised_at is not None
        await self._collection.replace_one(
            {"_id": entry.id, "pseudonymised_at": None}, _document(entry), session=session
        )


def _document(entry: LedgerEntry) -> Document:
    doc = entry.model_dump(mode="python")
    doc["_id"] = doc.pop("id")
    return doc


def _entry(doc: Document) -> LedgerEntry:
    fields = {k: v for k, v in doc.items() if k != "_id"}
    return LedgerEntry.model_validate({**fields, "id": doc["_id"]})

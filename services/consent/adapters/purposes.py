"""Purposes of consent in MongoDB (`purposes` collection), `_id` = the purpose's key."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.consent.domain.purposes import DEFAULT_PURPOSES, PurposeDefinition

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document, Session


class MongoPurposes:
    def __init__(
        self, collection: AsyncCollection[Document], *, clock: Callable[[], datetime]
    ) -> None:
        self._collection = collection
        self._clock = clock

    async def seed(self) -> None:
        """Add the default purposes a database does not have yet; never change existing ones."""
        for purpose in DEFAULT_PURPOSES:
            # Insert-or-duplicate: another instance starting at the same time may be first.
            with contextlib.suppress(DuplicateKeyError):
                await self.add(purpose)

    async def get(self, key: str, *, session: Session | None = None) -> PurposeDefinition | None:
        doc = await self._collection.find_one({"_id": key}, session=session)
        return _purpose(doc) if doc else None

    async def all(self, *, active_only: bool = False) -> list[PurposeDefinition]:
        query: dict[str, Any] = {"active": True} if active_only else {}
        cursor = self._collection.find(query).sort("_id", ASCENDING)
        return [_purpose(doc) async for doc in cursor]

    async def add(self, purpose: PurposeDefinition, *, session: Session | None = None) -> None:
        """Store a new purpose (DuplicateKeyError if its key is taken: in a transaction, a
        lost race that running it again resolves)."""
        now = self._clock()
        doc = purpose.model_dump(exclude={"key"}) | {
            "_id": purpose.key,
            "created_at": now,
            "updated_at": now,
        }
        await self._collection.insert_one(doc, session=session)

    async def update(self, purpose: PurposeDefinition, *, session: Session) -> None:
        await self._collection.update_one(
            {"_id": purpose.key},
            {"$set": purpose.model_dump(exclude={"key"}) | {"updated_at": self._clock()}},
            session=session,
        )


def _purpose(doc: Document) -> PurposeDefinition:
    return PurposeDefinition(
        key=doc["_id"],
        title=doc["title"],
        description=doc.get("description"),
        active=doc.get("active", True),
    )

"""The merges this service applied, in MongoDB (`merges` collection): absorbed id -> master id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document, Session

# Merges form chains (A into B, later B into C); a longer chain means the data is inconsistent.
MAX_MERGE_CHAIN = 20
# A master that absorbed more than this, directly or through others, is a runaway.
MAX_ABSORBED = 10_000


class MongoAppliedMerges:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("master_id")

    async def remember(
        self, absorbed_ids: Iterable[str], master_id: str, *, session: Session
    ) -> None:
        for absorbed in absorbed_ids:
            await self._collection.replace_one(
                {"_id": absorbed}, {"master_id": master_id}, upsert=True, session=session
            )

    async def master_of(self, customer_id: str) -> str:
        """The customer who holds this customer's consents now: itself, or who absorbed it."""
        current = customer_id
        for _ in range(MAX_MERGE_CHAIN):
            doc = await self._collection.find_one({"_id": current})
            if doc is None:
                return current
            current = doc["master_id"]
        raise RuntimeError(f"merge chain of {customer_id} is longer than {MAX_MERGE_CHAIN}")

    async def absorbed_into(self, master_id: str, *, session: Session) -> list[str]:
        """Every customer merged into this one, directly or through others."""
        found: list[str] = []
        frontier = [master_id]
        while frontier and len(found) < MAX_ABSORBED:
            cursor = self._collection.find({"master_id": {"$in": frontier}}, session=session)
            frontier = [doc["_id"] async for doc in cursor if doc["_id"] not in found]
            found += frontier
        return found

"""The customers tasks refer to: the shared directory kept from customer events, and which
customer absorbed which in a merge (so a task for an absorbed customer lands on the master)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from services.tasks.use_cases.ports import Clock, Session
from shared.contracts.customers import CustomerRef
from shared.customer_directory import CustomerDirectory

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

# A master may later be absorbed itself; chains are short, a loop must not be endless.
MAX_HOPS = 20


class MongoCustomers:
    def __init__(
        self, directory: CustomerDirectory, merges: AsyncCollection[Document], clock: Clock
    ) -> None:
        self._directory = directory
        self._merges = merges
        self._clock = clock

    async def ensure_indexes(self) -> None:
        await self._directory.ensure_indexes()

    async def get(self, customer_id: str) -> CustomerRef | None:
        return await self._directory.get(customer_id)

    async def apply(self, ref: CustomerRef) -> bool:
        return await self._directory.apply(ref)

    async def apply_many(self, refs: Sequence[CustomerRef]) -> None:
        await self._directory.apply_many(refs)

    async def master_of(self, customer_id: str) -> str | None:
        master: str | None = None
        current = customer_id
        for _ in range(MAX_HOPS):
            merge = await self._merges.find_one({"_id": current})
            if merge is None:
                break
            master = current = merge["master_id"]
        return master

    async def remember_merge(
        self, absorbed_ids: Sequence[str], master_id: str, *, session: Session
    ) -> None:
        for absorbed_id in absorbed_ids:
            await self._merges.update_one(
                {"_id": absorbed_id},
                {"$set": {"master_id": master_id, "merged_at": self._clock()}},
                upsert=True,
                session=session,
            )

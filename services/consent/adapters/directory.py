"""The consent service's customer directory in MongoDB: the customers it knows (`customers`)
and which of them absorbed which (`merges`: absorbed id -> master id).

`shared.customer_directory` keeps the customers from the customer events; the consent service
also writes what it learns first itself: customers it merged away, customers it erased. Those
writes run inside the merge's or erasure's unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from shared.contracts.customers import CustomerRef, CustomerStatus
from shared.customer_directory import CustomerDirectory

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session

# Merges form chains (A into B, later B into C); a longer chain means the data is inconsistent.
MAX_MERGE_CHAIN = 20
# A master that absorbed more than this, directly or through others, is a runaway.
MAX_ABSORBED = 10_000


class MongoDirectory:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._customers = db["customers"]
        self._merges = db["merges"]
        self._kept = CustomerDirectory(self._customers)

    async def ensure_indexes(self) -> None:
        await self._kept.ensure_indexes()
        await self._merges.create_index("master_id")

    async def apply(self, ref: CustomerRef) -> bool:
        """Store this version of the customer unless a newer one is known; True if stored."""
        return await self._kept.apply(ref)

    async def apply_many(self, refs: Iterable[CustomerRef]) -> None:
        await self._kept.apply_many(refs)

    async def get(self, customer_id: str) -> CustomerRef | None:
        return await self._kept.get(customer_id)

    async def get_many(self, customer_ids: Iterable[str]) -> dict[str, CustomerRef]:
        return await self._kept.get_many(customer_ids)

    async def masters_of(self, customer_ids: Iterable[str]) -> dict[str, str]:
        """Who holds each customer's consents now: itself, or who absorbed it. One query per
        link of the longest merge chain among them, nearly always one."""
        master = {customer_id: customer_id for customer_id in customer_ids}
        open_ = set(master)
        for _ in range(MAX_MERGE_CHAIN):
            cursor = self._merges.find({"_id": {"$in": sorted({master[c] for c in open_})}})
            moved = {doc["_id"]: doc["master_id"] async for doc in cursor}
            open_ = {c for c in open_ if master[c] in moved}
            if not open_:
                return master
            for customer_id in open_:
                master[customer_id] = moved[master[customer_id]]
        raise RuntimeError(f"merge chain of {sorted(open_)} is longer than {MAX_MERGE_CHAIN}")

    async def absorbed_into(self, master_id: str, *, session: Session) -> list[str]:
        """Every customer merged into this one, directly or through others."""
        found: list[str] = []
        frontier = [master_id]
        while frontier and len(found) < MAX_ABSORBED:
            cursor = self._merges.find({"master_id": {"$in": frontier}}, session=session)
            frontier = [doc["_id"] async for doc in cursor if doc["_id"] not in found]
            found += frontier
        return found

    async def remember_merge(
        self, absorbed_ids: Iterable[str], master_id: str, *, session: Session
    ) -> None:
        absorbed = list(absorbed_ids)
        for customer_id in absorbed:
            await self._merges.replace_one(
                {"_id": customer_id}, {"master_id": master_id}, upsert=True, session=session
            )
        # They are no customers of their own any more (report, lookups); the customer service
        # says so too, but maybe later than this service needs to know.
        await self._customers.update_many(
            {"_id": {"$in": absorbed}},
            {"$set": {"status": CustomerStatus.MERGED.value}},
            session=session,
        )

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None:
        """Erasure: the directory keeps that the customers were erased, and nothing about them."""
        await self._customers.update_many(
            {"_id": {"$in": list(customer_ids)}},
            {
                "$set": {"status": CustomerStatus.ERASED.value},
                "$unset": {"primary_email": "", "display_name": ""},
            },
            session=session,
        )

    async def count_active(self) -> int:
        return await self._customers.count_documents({"status": CustomerStatus.ACTIVE.value})

"""The consent service's customer directory in MongoDB (`customers` collection).

`shared.customer_directory` keeps it from the customer events; the consent service also writes
what it learns first itself: a customer it merged away, a customer it erased. Those writes run
inside the merge's or erasure's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from shared.contracts.customers import CustomerRef, CustomerStatus
from shared.customer_directory import CustomerDirectory

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document, Session


class MongoDirectory:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection
        self._kept = CustomerDirectory(collection)

    async def ensure_indexes(self) -> None:
        await self._kept.ensure_indexes()

    async def apply(self, ref: CustomerRef) -> bool:
        """Store this version of the customer unless a newer one is known; True if stored."""
        return await self._kept.apply(ref)

    async def get(self, customer_id: str) -> CustomerRef | None:
        return await self._kept.get(customer_id)

    async def mark_merged(self, customer_ids: Iterable[str], *, session: Session) -> None:
        # The customer service says so too, but maybe later than this service needs to know.
        await self._collection.update_many(
            {"_id": {"$in": list(customer_ids)}},
            {"$set": {"status": CustomerStatus.MERGED.value}},
            session=session,
        )

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None:
        """Erasure: the directory keeps that the customers were erased, and nothing about them."""
        await self._collection.update_many(
            {"_id": {"$in": list(customer_ids)}},
            {
                "$set": {"status": CustomerStatus.ERASED.value},
                "$unset": {"primary_email": "", "display_name": ""},
            },
            session=session,
        )

    async def count_active(self) -> int:
        return await self._collection.count_documents({"status": CustomerStatus.ACTIVE.value})

"""A service's own copy of the customers it refers to, kept from the customer events.

Consent and tasks must know a customer (to check a reference, to address a mail, to follow a
merge) without asking the customer service on every message. Each keeps this small projection
in its own database. It is idempotent and order-proof by version: an event carrying an older
version of a customer than the one stored changes nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.contracts.customers import CustomerRef
from shared.mongo import only_duplicate_keys

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document

log = logging.getLogger(__name__)


class CustomerDirectory:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("primary_email")

    async def apply(self, ref: CustomerRef) -> bool:
        """Store this version of the customer unless a newer one is known; True if stored."""
        try:
            result = await self._collection.update_one(*_newer(ref), upsert=True)
        except DuplicateKeyError:
            # The document exists with this version or a newer one: the upsert's insert lost.
            log.debug(
                "customer %s v%d is not newer than what is known", ref.customer_id, ref.version
            )
            return False
        return result.modified_count == 1 or result.upserted_id is not None

    async def apply_many(self, refs: Iterable[CustomerRef]) -> None:
        """`apply` for several customers in one write (the newest version of each given)."""
        newest: dict[str, CustomerRef] = {}
        for ref in refs:
            known = newest.get(ref.customer_id)
            if known is None or known.version < ref.version:
                newest[ref.customer_id] = ref
        if not newest:
            return
        writes = [UpdateOne(*_newer(ref), upsert=True) for ref in newest.values()]
        try:
            await self._collection.bulk_write(writes, ordered=False)
        except BulkWriteError as error:
            # Duplicate keys are the versions not newer than those known (as in `apply`).
            if not only_duplicate_keys(error):
                raise

    async def get(self, customer_id: str) -> CustomerRef | None:
        doc = await self._collection.find_one({"_id": customer_id})
        return _ref(doc) if doc is not None else None

    async def get_many(self, customer_ids: Iterable[str]) -> dict[str, CustomerRef]:
        """Those of these customers known here, by id."""
        cursor = self._collection.find({"_id": {"$in": sorted(set(customer_ids))}})
        return {doc["_id"]: _ref(doc) async for doc in cursor}


def _newer(ref: CustomerRef) -> tuple[Document, Document]:
    """The filter and update that store `ref` unless the same or a newer version is stored."""
    fields = ref.model_dump(mode="python", exclude={"customer_id"})
    return (
        {"_id": ref.customer_id, "version": {"$lt": ref.version}},
        {"$set": fields | {"seen_at": datetime.now(UTC)}},
    )


def _ref(doc: Document) -> CustomerRef:
    return CustomerRef.model_validate(
        {k: v for k, v in doc.items() if k not in ("_id", "seen_at")} | {"customer_id": doc["_id"]}
    )

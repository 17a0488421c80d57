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

from pymongo.errors import DuplicateKeyError

from shared.contracts.customers import CustomerRef

if TYPE_CHECKING:
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
        fields = ref.model_dump(mode="python", exclude={"customer_id"})
        try:
            result = await self._collection.update_one(
                {"_id": ref.customer_id, "version": {"$lt": ref.version}},
                {"$set": fields | {"seen_at": datetime.now(UTC)}},
                upsert=True,
            )
        except DuplicateKeyError:
            # The document exists with this version or a newer one: the upsert's insert lost.
            log.debug(
                "customer %s v%d is not newer than what is known", ref.customer_id, ref.version
            )
            return False
        return result.modified_count == 1 or result.upserted_id is not None

    async def get(self, customer_id: str) -> CustomerRef | None:
        doc = await self._collection.find_one({"_id": customer_id})
        if doc is None:
            return None
        return CustomerRef.model_validate(
            {k: v for k, v in doc.items() if k not in ("_id", "seen_at")}
            | {"customer_id": doc["_id"]}
        )

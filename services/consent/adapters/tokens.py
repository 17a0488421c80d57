"""Double opt-in requests in MongoDB (`double_opt_in` collection), keyed by their token's hash.

The token itself is never stored (see domain/tokens.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from services.consent.domain.tokens import DoubleOptInRequest

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from shared.mongo import Document, Session

# Used and expired requests are kept a while, so that a late click is told "expired" or
# "already used" rather than "unknown"; then the database drops them.
KEEP_AFTER_EXPIRY = timedelta(days=30)


class MongoTokens:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("purge_at", expireAfterSeconds=0)
        await self._collection.create_index("request_id")
        await self._collection.create_index("customer_id")

    async def add(self, request: DoubleOptInRequest, *, session: Session) -> None:
        doc = request.model_dump(exclude={"digest"}) | {
            "_id": request.digest,
            "purge_at": request.expires_at + KEEP_AFTER_EXPIRY,
        }
        await self._collection.insert_one(doc, session=session)

    async def get(self, digest: str, *, session: Session) -> DoubleOptInRequest | None:
        doc = await self._collection.find_one({"_id": digest}, session=session)
        return _request(doc) if doc else None

    async def of_request(self, request_id: str, *, session: Session) -> DoubleOptInRequest | None:
        doc = await self._collection.find_one({"request_id": request_id}, session=session)
        return _request(doc) if doc else None

    async def use(self, digest: str, *, by: str, at: datetime, session: Session) -> bool:
        """Mark the token used; False if it already was (single use, even under a race)."""
        result = await self._collection.update_one(
            {"_id": digest, "used_at": None},
            {"$set": {"used_at": at, "used_by": by}},
            session=session,
        )
        return result.modified_count == 1

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None:
        await self._collection.delete_many(
            {"customer_id": {"$in": list(customer_ids)}}, session=session
        )


def _request(doc: Document) -> DoubleOptInRequest:
    fields = {k: v for k, v in doc.items() if k not in ("_id", "purge_at")}
    return DoubleOptInRequest.model_validate({**fields, "digest": doc["_id"]})

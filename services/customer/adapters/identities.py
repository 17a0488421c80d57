"""Identifiers claimed by customers (the `identities` collection): the key is the document id.

The unique `_id` is what stops a second claim: two consumers racing on one new buyer both try
to insert the same key, one wins, the other's transaction fails and runs again (and then finds
the winner). Real MongoDB detects transaction conflicts per document, so nothing but this key
would stop two claims under different ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from services.customer.domain.identities import Identifier
    from shared.mongo import Document, Session


class MongoIdentities:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.identities = db["identities"]

    async def ensure_indexes(self) -> None:
        await self.identities.create_index("customer_id")

    async def owners(self, keys: Iterable[str], *, session: Session) -> dict[str, str]:
        return {
            doc["_id"]: doc["customer_id"]
            async for doc in self.identities.find({"_id": {"$in": list(keys)}}, session=session)
        }

    async def claim(
        self, identifiers: Iterable[Identifier], customer_id: str, *, session: Session
    ) -> None:
        """Insert the claims; one already taken raises DuplicateKeyError (the race was lost)."""
        # One insert each, so that a taken key fails as a DuplicateKeyError naming it.
        for identifier in identifiers:
            await self.identities.insert_one(
                {"_id": identifier.key, "kind": identifier.kind.value, "customer_id": customer_id},
                session=session,
            )

    async def claim_many(
        self, claims: Sequence[tuple[Identifier, str]], *, session: Session
    ) -> None:
        """Insert all claims in one write, unordered: a taken key is reported (with every other
        taken one) as a BulkWriteError of duplicate keys, a lost race the transaction runs again
        for; running again, the batch reads the winner as the identifier's owner."""
        if claims:
            await self.identities.insert_many(
                [
                    {"_id": i.key, "kind": i.kind.value, "customer_id": customer_id}
                    for i, customer_id in claims
                ],
                ordered=False,
                session=session,
            )

    async def release(self, keys: Iterable[str], customer_id: str, *, session: Session) -> None:
        await self.identities.delete_many(
            {"_id": {"$in": list(keys)}, "customer_id": customer_id}, session=session
        )

    async def release_all(self, customer_id: str, *, session: Session) -> int:
        result = await self.identities.delete_many({"customer_id": customer_id}, session=session)
        return result.deleted_count

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> None:
        await self.identities.update_many(
            {"customer_id": {"$in": from_ids}}, {"$set": {"customer_id": to_id}}, session=session
        )

    async def keys_of(self, customer_id: str, *, session: Session | None = None) -> list[str]:
        cursor = self.identities.find({"customer_id": customer_id}, session=session)
        return sorted([doc["_id"] async for doc in cursor])

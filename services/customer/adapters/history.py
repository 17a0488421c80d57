"""Activities of every customer (the `activities` collection), newest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pymongo import DESCENDING

from services.customer.adapters import paging
from services.customer.adapters.bson import from_document, to_document
from services.customer.domain.history import Activity

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.contracts.customer_history import ActivityKind
    from shared.contracts.envelope import ActorType
    from shared.mongo import Document, Session

ERASED = "[erased]"


class MongoHistory:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.activities = db["activities"]

    async def ensure_indexes(self) -> None:
        await self.activities.create_index([("customer_id", DESCENDING), ("_id", DESCENDING)])
        await self.activities.create_index(
            [("customer_id", DESCENDING), ("kind", DESCENDING), ("_id", DESCENDING)]
        )

    async def add(self, activities: Iterable[Activity], *, session: Session) -> None:
        docs = [to_document(a) for a in activities]
        if docs:
            await self.activities.insert_many(docs, session=session)

    async def get(self, activity_id: str) -> Activity | None:
        doc = await self.activities.find_one({"_id": activity_id})
        return from_document(Activity, doc) if doc else None

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> None:
        """The absorbed customers' history becomes the master's, marked with its origin."""
        for from_id in from_ids:
            await self.activities.update_many(
                {"customer_id": from_id, "recorded_on": None},
                {"$set": {"customer_id": to_id, "recorded_on": from_id}},
                session=session,
            )
            await self.activities.update_many(
                {"customer_id": from_id}, {"$set": {"customer_id": to_id}}, session=session
            )

    async def scrub(self, customer_id: str, *, session: Session) -> int:
        scrubbed = 0
        async for doc in self.activities.find({"customer_id": customer_id}, session=session):
            changes = [
                change
                | {"before": ERASED if change.get("before") is not None else None}
                | {"after": ERASED if change.get("after") is not None else None}
                for change in doc.get("changes", [])
            ]
            details = {"erased": True} if doc.get("details") else {}
            await self.activities.update_one(
                {"_id": doc["_id"]},
                {"$set": {"changes": changes, "details": details}},
                session=session,
            )
            scrubbed += 1
        return scrubbed

    async def page(
        self,
        customer_id: str,
        *,
        actor_type: ActorType | None,
        kinds: tuple[ActivityKind, ...],
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Activity], str | None]:
        query: Document = {"customer_id": customer_id}
        if actor_type is not None:
            query["actor.type"] = actor_type.value
        if kinds:
            query["kind"] = {"$in": [k.value for k in kinds]}
        found, next_cursor = await paging.page(
            self.activities, query, field="_id", descending=True, cursor=cursor, limit=limit
        )
        return [from_document(Activity, doc) for doc in found], next_cursor

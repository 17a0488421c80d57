"""Order summaries per customer (the `orders` collection)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pymongo import DESCENDING

from services.customer import paging
from services.customer.documents import document, record
from services.customer.domain.orders import OrderSummary
from services.customer.store import StaleRecord

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session


class OrderStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.orders = db["orders"]

    async def ensure_indexes(self) -> None:
        await self.orders.create_index(
            [("customer_id", DESCENDING), ("placed_at", DESCENDING), ("_id", DESCENDING)]
        )

    async def get(self, key: str, *, session: Session) -> OrderSummary | None:
        doc = await self.orders.find_one({"_id": key}, session=session)
        return record(OrderSummary, doc) if doc else None

    async def buyer_of_any(self, keys: list[str], *, session: Session) -> str | None:
        """The customer who placed one of these orders (keys from `order_key`), if any."""
        if not keys:
            return None
        doc = await self.orders.find_one({"_id": {"$in": keys}}, session=session)
        return str(doc["customer_id"]) if doc else None

    async def save(
        self, summary: OrderSummary, *, replaces: OrderSummary | None, session: Session
    ) -> None:
        if replaces is None:
            # A concurrent first import of the same order fails here and runs again.
            await self.orders.insert_one(document(summary), session=session)
            return
        result = await self.orders.replace_one(
            {"_id": summary.id, "updated_at": replaces.updated_at},
            document(summary),
            session=session,
        )
        if result.matched_count != 1:
            raise StaleRecord(summary.id)

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int:
        result = await self.orders.update_many(
            {"customer_id": {"$in": from_ids}}, {"$set": {"customer_id": to_id}}, session=session
        )
        return result.modified_count

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[OrderSummary], str | None]:
        query = {"customer_id": customer_id} | paging.after("placed_at", cursor, descending=True)
        found = [
            doc
            async for doc in self.orders.find(query)
            .sort(paging.order("placed_at", descending=True))
            .limit(limit + 1)
        ]
        page = found[:limit]
        next_cursor = (
            paging.encode(page[-1]["placed_at"], page[-1]["_id"]) if len(found) > limit else None
        )
        return [record(OrderSummary, doc) for doc in page], next_cursor

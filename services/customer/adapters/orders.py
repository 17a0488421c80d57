"""Order summaries per customer (the `orders` collection), keyed by the suite's order key, and
orders that name nobody (`orders_without_customer`, the order's latest state as it came)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pymongo import DESCENDING, InsertOne, ReplaceOne

from services.customer.adapters import paging
from services.customer.adapters.bson import from_document, to_bson, to_document
from services.customer.domain.orders import Order, OrderSummary
from services.customer.use_cases.ports import ChangedMeanwhile

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session


class MongoOrders:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.orders = db["orders"]
        self.without_customer = db["orders_without_customer"]

    async def ensure_indexes(self) -> None:
        await self.orders.create_index(
            [("customer_id", DESCENDING), ("placed_at", DESCENDING), ("_id", DESCENDING)]
        )

    async def get(self, key: str, *, session: Session) -> OrderSummary | None:
        doc = await self.orders.find_one({"_id": key}, session=session)
        return from_document(OrderSummary, doc) if doc else None

    async def get_many(self, keys: list[str], *, session: Session) -> list[OrderSummary]:
        cursor = self.orders.find({"_id": {"$in": keys}}, session=session)
        return [from_document(OrderSummary, doc) async for doc in cursor]

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
            # A concurrent first upsert of the same order fails here and runs again.
            await self.orders.insert_one(to_document(summary), session=session)
            return
        result = await self.orders.replace_one(
            {"_id": summary.id, "updated_at": replaces.updated_at},
            to_document(summary),
            session=session,
        )
        if result.matched_count != 1:
            raise ChangedMeanwhile(summary.id)

    async def save_many(
        self, saves: Sequence[tuple[OrderSummary, OrderSummary | None]], *, session: Session
    ) -> None:
        writes: list[InsertOne[Document] | ReplaceOne[Document]] = [
            InsertOne(to_document(summary))
            if replaces is None
            else ReplaceOne(
                {"_id": summary.id, "updated_at": replaces.updated_at}, to_document(summary)
            )
            for summary, replaces in saves
        ]
        if not writes:
            return
        result = await self.orders.bulk_write(writes, session=session)
        if result.matched_count != sum(replaces is not None for _, replaces in saves):
            raise ChangedMeanwhile("an order of the batch")

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int:
        result = await self.orders.update_many(
            {"customer_id": {"$in": from_ids}}, {"$set": {"customer_id": to_id}}, session=session
        )
        return result.modified_count

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[OrderSummary], str | None]:
        found, next_cursor = await paging.page(
            self.orders,
            {"customer_id": customer_id},
            field="placed_at",
            descending=True,
            cursor=cursor,
            limit=limit,
        )
        return [from_document(OrderSummary, doc) for doc in found], next_cursor

    async def keep_without_customer(self, order: Order, *, at: datetime, session: Session) -> None:
        doc = to_bson(order.model_dump(mode="python")) | {"_id": order.key, "kept_at": at}
        # An older state arriving late never replaces a newer one.
        stored = await self.without_customer.find_one({"_id": order.key}, session=session)
        if stored is None:
            await self.without_customer.insert_one(doc, session=session)
        elif stored["updated_at"] <= order.updated_at:
            await self.without_customer.replace_one({"_id": order.key}, doc, session=session)

    async def forget_without_customer(self, key: str, *, session: Session) -> None:
        await self.without_customer.delete_one({"_id": key}, session=session)

    async def forget_many_without_customer(self, keys: list[str], *, session: Session) -> None:
        if keys:
            await self.without_customer.delete_many({"_id": {"$in": keys}}, session=session)

    async def count_without_customer(self) -> int:
        return await self.without_customer.count_documents({})

"""Figures over the `customers` collection for reports, computed by the database.

A merged customer is a duplicate folded into its master: it is never counted. The master
carries the oldest creation date and the first channel of everything it absorbed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.customer.adapters.bson import from_bson
from shared.contracts.customer_reports import NewCustomersRow, TopCustomer
from shared.contracts.customers import CustomerStatus

if TYPE_CHECKING:
    from datetime import date

    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document

COUNTED = {"$ne": CustomerStatus.MERGED.value}


class MongoStatistics:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = db["customers"]

    async def new_customers(self, start: date, end: date) -> list[NewCustomersRow]:
        cursor = await self.customers.aggregate(
            [
                {
                    "$match": {
                        "status": COUNTED,
                        "search.created_day": {"$gte": start.isoformat(), "$lte": end.isoformat()},
                    }
                },
                {
                    "$group": {
                        "_id": {"day": "$search.created_day", "channel": "$origin_channel"},
                        "count": {"$sum": 1},
                    }
                },
            ]
        )
        return [
            NewCustomersRow(
                day=doc["_id"]["day"], channel=doc["_id"]["channel"], count=doc["count"]
            )
            async for doc in cursor
        ]

    async def with_orders(self, at_least: int) -> int:
        return await self.customers.count_documents(
            {"status": COUNTED, "stats.order_count": {"$gte": at_least}}
        )

    async def top_by_revenue(self, currency: str, limit: int) -> list[TopCustomer]:
        revenue = f"stats.revenue.{currency}"
        cursor = (
            self.customers.find(
                {"status": COUNTED, revenue: {"$exists": True}},
                {"number": 1, "first_name": 1, "last_name": 1, "company": 1, "stats": 1},
            )
            .sort([(revenue, -1), ("_id", 1)])
            .limit(limit)
        )
        items = []
        async for raw in cursor:
            doc = from_bson(raw)
            name = " ".join(p for p in (doc.get("first_name"), doc.get("last_name")) if p)
            items.append(
                TopCustomer(
                    customer_id=doc["_id"],
                    customer_number=doc["number"],
                    display_name=name or doc.get("company"),
                    revenue=doc["stats"]["revenue"][currency],
                    order_count=doc["stats"]["order_count"],
                )
            )
        return items

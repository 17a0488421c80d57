"""Reports over the customer base (read-only; answered over request/reply).

A merged record is a duplicate that was folded into its master: it is never counted. The master
carries the oldest creation date and the first channel of everything it absorbed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from services.customer.documents import from_bson
from services.customer.domain.errors import field_error
from services.customer.queries import candidate_view
from shared.contracts.customer_reports import (
    NewCustomersPerDay,
    NewCustomersReport,
    NewCustomersRow,
    OpenDuplicates,
    OpenDuplicatesReport,
    RepeatPurchaseRate,
    RepeatPurchaseReport,
    TopCustomer,
    TopCustomersByRevenue,
    TopCustomersReport,
)
from shared.contracts.customers import CustomerStatus
from shared.contracts.duplicates import CandidateStatus

if TYPE_CHECKING:
    from services.customer.duplicate_store import DuplicateStore
    from services.customer.store import CustomerStore

COUNTED = {"$ne": CustomerStatus.MERGED.value}
# A period longer than this is a mistake or an export, not a report.
MAX_DAYS = 366


@dataclass
class Reports:
    store: CustomerStore
    duplicates: DuplicateStore

    async def new_customers(self, query: NewCustomersPerDay) -> NewCustomersReport:
        period = query.period
        if period.end < period.start:
            raise field_error("period.end", "must not be before the start")
        if period.end - period.start > timedelta(days=MAX_DAYS):
            raise field_error("period.end", f"a period covers at most {MAX_DAYS} days")
        cursor = await self.store.customers.aggregate(
            [
                {
                    "$match": {
                        "status": COUNTED,
                        "search.created_day": {
                            "$gte": period.start.isoformat(),
                            "$lte": period.end.isoformat(),
                        },
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
        rows = [
            NewCustomersRow(
                day=doc["_id"]["day"], channel=doc["_id"]["channel"], count=doc["count"]
            )
            async for doc in cursor
        ]
        rows.sort(key=lambda r: (r.day, r.channel))
        return NewCustomersReport(period=period, rows=tuple(rows), total=sum(r.count for r in rows))

    async def repeat_purchase(self, _: RepeatPurchaseRate) -> RepeatPurchaseReport:
        customers = self.store.customers
        ordered = await customers.count_documents(
            {"status": COUNTED, "stats.order_count": {"$gte": 1}}
        )
        repeat = await customers.count_documents(
            {"status": COUNTED, "stats.order_count": {"$gte": 2}}
        )
        return RepeatPurchaseReport(
            customers_with_orders=ordered,
            repeat_customers=repeat,
            rate=round(repeat / ordered, 4) if ordered else 0.0,
        )

    async def top_customers(self, query: TopCustomersByRevenue) -> TopCustomersReport:
        revenue = f"stats.revenue.{query.currency}"
        cursor = (
            self.store.customers.find(
                {"status": COUNTED, revenue: {"$exists": True}},
                {"number": 1, "first_name": 1, "last_name": 1, "company": 1, "stats": 1},
            )
            .sort([(revenue, -1), ("_id", 1)])
            .limit(query.limit)
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
                    revenue=doc["stats"]["revenue"][query.currency],
                    order_count=doc["stats"]["order_count"],
                )
            )
        return TopCustomersReport(currency=query.currency, items=tuple(items))

    async def open_duplicates(self, query: OpenDuplicates) -> OpenDuplicatesReport:
        top, _ = await self.duplicates.page(
            status=CandidateStatus.OPEN, customer_id=None, cursor=None, limit=query.limit
        )
        return OpenDuplicatesReport(
            open=await self.duplicates.count(CandidateStatus.OPEN),
            top=tuple(candidate_view(c) for c in top),
        )

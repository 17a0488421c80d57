"""Reports over the customer base (read-only; answered over request/reply).

A merged customer is a duplicate folded into its master: it is never counted (see the
`Statistics` port).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from services.customer.domain.errors import field_error
from services.customer.use_cases.views import candidate_view
from shared.contracts.customer_reports import (
    NewCustomersReport,
    OpenDuplicatesReport,
    RepeatPurchaseReport,
    TopCustomersReport,
)
from shared.contracts.duplicates import CandidateStatus

if TYPE_CHECKING:
    from services.customer.use_cases.ports import Duplicates, Orders, Statistics
    from shared.contracts.customer_reports import (
        NewCustomersPerDay,
        OpenDuplicates,
        RepeatPurchaseRate,
        TopCustomersByRevenue,
    )

# A period longer than this is a mistake or an export, not a report.
MAX_DAYS = 366


@dataclass
class Reports:
    statistics: Statistics
    duplicates: Duplicates
    orders: Orders

    async def new_customers(self, query: NewCustomersPerDay) -> NewCustomersReport:
        period = query.period
        if period.end < period.start:
            raise field_error("period.end", "must not be before the start")
        if period.end - period.start > timedelta(days=MAX_DAYS):
            raise field_error("period.end", f"a period covers at most {MAX_DAYS} days")
        rows = await self.statistics.new_customers(period.start, period.end)
        rows.sort(key=lambda r: (r.day, r.channel))
        return NewCustomersReport(period=period, rows=tuple(rows), total=sum(r.count for r in rows))

    async def repeat_purchase(self, _: RepeatPurchaseRate) -> RepeatPurchaseReport:
        ordered = await self.statistics.with_orders(at_least=1)
        repeat = await self.statistics.with_orders(at_least=2)
        return RepeatPurchaseReport(
            customers_with_orders=ordered,
            repeat_customers=repeat,
            rate=round(repeat / ordered, 4) if ordered else 0.0,
            orders_without_customer=await self.orders.count_without_customer(),
        )

    async def top_customers(self, query: TopCustomersByRevenue) -> TopCustomersReport:
        items = await self.statistics.top_by_revenue(query.currency, query.limit)
        return TopCustomersReport(currency=query.currency, items=tuple(items))

    async def open_duplicates(self, query: OpenDuplicates) -> OpenDuplicatesReport:
        top, _ = await self.duplicates.page(
            status=CandidateStatus.OPEN, customer_id=None, cursor=None, limit=query.limit
        )
        return OpenDuplicatesReport(
            open=await self.duplicates.count(CandidateStatus.OPEN),
            top=tuple(candidate_view(c) for c in top),
        )

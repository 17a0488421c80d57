"""Reports over the customer base in the public API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.gateway.callers import Caller
from services.gateway.services import Services
from shared.contracts import customer_reports as r


def reports_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/reports", tags=["reports"])

    async def send(message: Any) -> Any:
        return await services.ask("customer", message)

    @router.get("/new-customers", response_model=r.NewCustomersReport)
    async def new_customers(caller: Caller, start: date, end: date) -> Any:
        """New customers per day and per channel (of their first order), both days included."""
        return await send(r.NewCustomersPerDay(period=r.Period(start=start, end=end), actor=caller))

    @router.get("/repeat-purchase-rate", response_model=r.RepeatPurchaseReport)
    async def repeat_purchase_rate(caller: Caller) -> Any:
        """Share of customers with an order who ordered more than once."""
        return await send(r.RepeatPurchaseRate(actor=caller))

    @router.get("/top-customers", response_model=r.TopCustomersReport)
    async def top_customers(
        caller: Caller,
        currency: Annotated[str, Query(pattern=r"^[A-Z]{3}$")],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Any:
        """Customers by revenue in one currency (cancelled and refunded orders do not count)."""
        return await send(r.TopCustomersByRevenue(currency=currency, limit=limit, actor=caller))

    @router.get("/open-duplicates", response_model=r.OpenDuplicatesReport)
    async def open_duplicates(
        caller: Caller, limit: Annotated[int, Query(ge=1, le=100)] = 10
    ) -> Any:
        """How many duplicate candidates wait for a decision, and the likeliest ones."""
        return await send(r.OpenDuplicates(limit=limit, actor=caller))

    return router

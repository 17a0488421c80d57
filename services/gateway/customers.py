"""Customer endpoints of the public API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.gateway.callers import Caller
from services.gateway.services import Services
from shared.contracts.customers import CustomerPage, CustomerView, FindCustomers, GetCustomer


def customers_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/customers", tags=["customers"])

    @router.get("/{customer_id}", response_model=CustomerView)
    async def get_customer(
        customer_id: Annotated[str, Path(min_length=1, max_length=64)],
        caller: Caller,
    ) -> Any:
        return await services.ask("customer", GetCustomer(customer_id=customer_id, actor=caller))

    @router.get("", response_model=CustomerPage)
    async def list_customers(
        caller: Caller,
        email: Annotated[str | None, Query(max_length=320)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Any:
        return await services.ask(
            "customer",
            FindCustomers(email=email, limit=limit, cursor=cursor, actor=caller),
        )

    return router

"""Reports over the customer base, answered by the customer service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from shared.contracts.duplicates import DuplicateCandidateView
from shared.contracts.envelope import Contract, Query

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Period(Contract):
    """Days from `start` to `end`, both included (UTC)."""

    start: date
    end: date


class NewCustomersRow(Contract):
    day: date
    # The channel of the first order, or `api` for a customer created by hand.
    channel: str
    count: int


class NewCustomersReport(Contract):
    period: Period
    rows: tuple[NewCustomersRow, ...]
    total: int


class NewCustomersPerDay(Query):
    type: Literal["customer.report.new_customers.v1"] = "customer.report.new_customers.v1"
    period: Period


class RepeatPurchaseReport(Contract):
    customers_with_orders: int
    repeat_customers: int
    # repeat_customers / customers_with_orders; 0 when nobody ordered.
    rate: float
    # Orders that named nobody (no email, account, name, company or address): kept, counted
    # here, but no customer's and so in none of the figures above.
    orders_without_customer: int = 0


class RepeatPurchaseRate(Query):
    type: Literal["customer.report.repeat_purchase.v1"] = "customer.report.repeat_purchase.v1"


class TopCustomer(Contract):
    customer_id: str
    customer_number: int
    display_name: str | None = None
    revenue: Decimal
    order_count: int


class TopCustomersReport(Contract):
    currency: str
    items: tuple[TopCustomer, ...]


class TopCustomersByRevenue(Query):
    type: Literal["customer.report.top_customers.v1"] = "customer.report.top_customers.v1"
    currency: CurrencyCode
    limit: Annotated[int, Field(ge=1, le=100)] = 10


class OpenDuplicatesReport(Contract):
    open: int
    top: tuple[DuplicateCandidateView, ...]


class OpenDuplicates(Query):
    type: Literal["customer.report.open_duplicates.v1"] = "customer.report.open_duplicates.v1"
    limit: Annotated[int, Field(ge=1, le=100)] = 10

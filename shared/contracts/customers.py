"""What the customer service tells the rest of the suite: events, queries and the customer view."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Contract, Event, Query


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    MERGED = "merged"
    ERASED = "erased"


class CustomerRef(Contract):
    """Enough of a customer for another service to keep its own reference to them.

    `version` rises with every change of the record, so a consumer can ignore an event that
    arrives after a newer one.
    """

    customer_id: str
    customer_number: int
    version: int = Field(ge=1)
    status: CustomerStatus
    display_name: str | None = None
    primary_email: str | None = None


class FieldChange(Contract):
    field: str
    before: Any = None
    after: Any = None


class CustomerCreated(Event):
    type: Literal["customer.created.v1"] = "customer.created.v1"
    customer: CustomerRef


class CustomerUpdated(Event):
    type: Literal["customer.updated.v1"] = "customer.updated.v1"
    customer: CustomerRef
    changes: tuple[FieldChange, ...] = Field(min_length=1)


class CustomersMerged(Event):
    """A master absorbed other customers; what referred to them now belongs to the master."""

    type: Literal["customer.merged.v1"] = "customer.merged.v1"
    master: CustomerRef
    absorbed_ids: tuple[str, ...] = Field(min_length=1)


class CustomerErased(Event):
    """A person's data was erased (GDPR Art. 17): every service removes or pseudonymises theirs."""

    type: Literal["customer.erased.v1"] = "customer.erased.v1"
    customer: CustomerRef


class EmailView(Contract):
    address: str
    primary: bool


class CustomerView(Contract):
    """The customer record as the gateway shows it."""

    id: str
    customer_number: int
    status: CustomerStatus
    version: int
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    language: str | None = None
    emails: tuple[EmailView, ...] = ()
    phones: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    created_at: AwareDatetime
    updated_at: AwareDatetime


class GetCustomer(Query):
    type: Literal["customer.get.v1"] = "customer.get.v1"
    customer_id: Annotated[str, Field(min_length=1, max_length=64)]


class FindCustomers(Query):
    """A page of customers matching the filters, in a stable order."""

    type: Literal["customer.find.v1"] = "customer.find.v1"
    email: Annotated[str, Field(max_length=320)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    # Opaque to the caller: the last id of the previous page.
    cursor: Annotated[str, Field(max_length=200)] | None = None


class CustomerPage(Contract):
    items: tuple[CustomerView, ...]
    next_cursor: str | None = None

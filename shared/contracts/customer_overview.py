"""A customer's overview: the record and what a page about them shows, in one request.

The console's customer page shows the record with its orders, notes, timeline, the custom fields
that describe it and its open duplicate candidates. Asked for one by one, that was six requests
that each read the customer again; this is one request that reads it once. A part that is not
asked for (the caller's roles do not read it) is neither read nor answered.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.contracts.custom_fields import CustomFieldList
from shared.contracts.customer_history import ActivityPage, OrderPage, TimelineSlice
from shared.contracts.customer_notes import NotePage
from shared.contracts.customers import CustomerView
from shared.contracts.duplicates import DuplicatePage
from shared.contracts.envelope import Contract, Id, Query

# How many of a part to show; none when 0.
PartSize = Annotated[int, Field(ge=0, le=200)]


class GetCustomerOverview(Query):
    type: Literal["customer.overview.v1"] = "customer.overview.v1"
    customer_id: Id
    # The newest orders; pinned notes first, then the newest; open candidates, highest score first.
    orders: PartSize = 0
    notes: PartSize = 0
    duplicates: PartSize = 0
    timeline: TimelineSlice | None = None
    custom_fields: bool = False


class CustomerOverview(Contract):
    """The parts asked for; a customer merged into another comes without them (its page is
    the master's)."""

    customer: CustomerView
    orders: OrderPage | None = None
    notes: NotePage | None = None
    timeline: ActivityPage | None = None
    custom_fields: CustomFieldList | None = None
    duplicates: DuplicatePage | None = None

"""Erasure (GDPR Art. 17): the record keeps its id and number, and nothing about the person.

Orders stay (a seller must keep them for accounting) but their summaries hold no personal data;
statistics and non-personal custom fields stay so reports still add up.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from services.customer.domain.customer import Customer
from services.customer.domain.errors import Conflict
from shared.contracts.customers import CustomerStatus


def erase(customer: Customer, *, now: datetime, non_personal_fields: Collection[str]) -> Customer:
    """The anonymised record; `customer` itself if it was erased already."""
    if customer.status is CustomerStatus.ERASED:
        return customer
    if customer.status is CustomerStatus.MERGED:
        raise Conflict(
            f"customer {customer.id} was merged into {customer.merged_into}; erase that one"
        )
    return Customer(
        id=customer.id,
        number=customer.number,
        status=CustomerStatus.ERASED,
        version=customer.version + 1,
        created_at=customer.created_at,
        updated_at=now,
        origin_channel=customer.origin_channel,
        channels=customer.channels,
        stats=customer.stats,
        extra={k: v for k, v in customer.extra.items() if k in non_personal_fields},
        closed_at=now,
    )

"""Internal notes: what staff wrote about a customer, kept apart from the customer."""

from __future__ import annotations

from datetime import datetime

from services.customer.domain.customer import DomainModel
from shared.contracts.envelope import Actor


class Note(DomainModel):
    id: str
    customer_id: str
    text: str
    pinned: bool = False
    author: Actor
    created_at: datetime
    updated_at: datetime

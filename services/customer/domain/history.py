"""Activities: every change of a customer, as one entry of their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field

from services.customer.domain.customer import DomainModel
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import FieldChange
from shared.contracts.envelope import Actor

if TYPE_CHECKING:
    from services.customer.domain.orders import Order


class Activity(DomainModel):
    # Time-ordered (see `activity_id`): the timeline sorts by it, newest first.
    id: str
    customer_id: str
    at: datetime
    actor: Actor
    kind: ActivityKind
    source: dict[str, str] = Field(default_factory=dict)
    changes: tuple[FieldChange, ...] = ()
    details: dict[str, Any] = Field(default_factory=dict)
    message_id: str | None = None
    # Set when the activity was written on a customer later merged into this one.
    recorded_on: str | None = None


def activity_id(at: datetime, unique: str) -> str:
    """Sorts like the time it was written; `unique` breaks ties between equal times."""
    return f"{at:%Y%m%d%H%M%S%f}-{unique}"


def order_as_source(order: Order) -> dict[str, str]:
    """Where an order's activity came from, as the timeline shows it."""
    return {
        "channel": order.channel,
        "shop": order.shop,
        "order_id": order.order_id,
        "order_number": order.order_number,
    }


API_SOURCE = {"channel": "api"}

"""From a canonical order to the command that upserts its buyer, and who sends it."""

from __future__ import annotations

import uuid
from datetime import UTC

from pydantic import TypeAdapter, ValidationError

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.orders import CanonicalOrder, ShopName, UpsertCustomerFromOrder

# Fixed namespace of the suite's order message ids; changing it would make every retried
# webhook look new.
_ORDER_NAMESPACE = uuid.UUID("6f1c7a8e-3b52-4d0e-9a57-2c1f0e9b7d31")
_SHOP_NAME: TypeAdapter[str] = TypeAdapter(ShopName)


def shop_name(raw: str | None) -> str | None:
    """A shop as every key of the suite spells it (the order contract's `ShopName`: trimmed,
    lowercase), read from a header, a setting or a payload; None when it names no shop."""
    try:
        return _SHOP_NAME.validate_python(raw or "")
    except ValidationError:
        return None


def order_message_id(order: CanonicalOrder) -> str:
    """Same order in the same state -> same id, so a channel's retry is the same message.

    An update of the order (a later `updated_at`) is a new message.
    """
    updated = order.updated_at.astimezone(UTC).isoformat(timespec="microseconds")
    name = "\x1f".join((order.channel, order.shop, order.order_id, updated))
    return uuid.uuid5(_ORDER_NAMESPACE, name).hex


def upsert_command(
    order: CanonicalOrder, *, actor: Actor, correlation_id: str | None = None
) -> UpsertCustomerFromOrder:
    message_id = order_message_id(order)
    return UpsertCustomerFromOrder(
        message_id=message_id,
        correlation_id=correlation_id or message_id,
        actor=actor,
        order=order,
    )


def channel_actor(order: CanonicalOrder) -> Actor:
    """Orders arrive on behalf of a channel: the system acting for it, named by channel."""
    return shop_actor(order.channel, order.shop)


def shop_actor(channel: str, shop: str) -> Actor:
    """The system acting for one shop of a channel (its orders, its privacy requests)."""
    return Actor(type=ActorType.SYSTEM, id=f"{channel}:{shop}")

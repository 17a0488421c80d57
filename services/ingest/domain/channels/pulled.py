"""Channels whose orders an integration pulls from the channel's API and posts to ingest, and
the adapter that reads each one's order."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from services.ingest.domain.channels import adobe_commerce, amazon, ebay
from shared.contracts.orders import CanonicalOrder

PulledChannel = Literal["amazon", "ebay", "adobe_commerce"]


class OrderAdapter(Protocol):
    def __call__(self, payload: Any, *, shop: str) -> CanonicalOrder: ...


# channel -> (its name as people know it, the adapter that reads its order)
PULLED: dict[PulledChannel, tuple[str, OrderAdapter]] = {
    "amazon": ("Amazon", amazon.order_from_api),
    "ebay": ("eBay", ebay.order_from_api),
    "adobe_commerce": ("Adobe Commerce", adobe_commerce.order_from_entity),
}

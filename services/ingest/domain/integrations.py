"""Integrations: systems that post the orders of one shop of one channel, with their own key.

An integration posts canonical orders (`POST /v1/orders`, any channel: `own_store`, `shopify`, a
slug of the seller's own) and, for a channel whose orders are pulled from the channel's API
(Amazon, eBay, Adobe Commerce), the channel's own order. It brings in only its own orders: one
of another channel or shop is refused, and so is an Amazon order of a marketplace the integration
does not list. Who holds which key is configuration; what a key may bring in is decided here.
A gateway key bound to a shop (an integration's) imports only that shop's orders, the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from shared.contracts.orders import CanonicalOrder, ChannelName, KnownChannel, ShopName
from shared.contracts.replies import FieldError

# Amazon's id of a marketplace (A1PA6795UKMFR9 is amazon.de).
MarketplaceId = Annotated[str, Field(pattern=r"^[A-Z0-9]{10,20}$")]


class ForeignOrder(Exception):
    """The order is not the integration's to bring in; `errors` name the fields that say so."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class Integration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: ChannelName
    shop: ShopName
    # Long enough that guessing is hopeless.
    api_key: SecretStr = Field(min_length=24)
    # Amazon only: the marketplaces the seller sells in, whose orders the integration brings in.
    marketplaces: tuple[MarketplaceId, ...] = ()

    @model_validator(mode="after")
    def _marketplaces_only_for_amazon(self) -> Self:
        amazon = self.channel == KnownChannel.AMAZON
        if amazon and not self.marketplaces:
            raise ValueError("an Amazon integration lists its marketplaces (MarketplaceId)")
        if not amazon and self.marketplaces:
            raise ValueError("only an Amazon integration has marketplaces")
        return self

    def refuse_foreign(self, order: CanonicalOrder) -> None:
        """Raises ForeignOrder unless `order` is of the integration's channel and shop."""
        errors = [
            _not_its("channel", self.channel, order.channel),
            _not_its("shop", self.shop, order.shop),
        ]
        if any(errors):
            raise ForeignOrder(e for e in errors if e is not None)

    def refuse_other_channel(self, channel: str) -> None:
        if (error := _not_its("channel", self.channel, channel)) is not None:
            raise ForeignOrder([error])

    def refuse_foreign_marketplace(self, marketplace: str, *, field: str) -> None:
        if marketplace not in self.marketplaces:
            message = f"{marketplace!r} is not a marketplace of this integration"
            raise ForeignOrder([FieldError(field=field, message=message)])


def refuse_other_shop(shop: str, order: CanonicalOrder) -> None:
    """Raises ForeignOrder unless `order` is of `shop`: what a key bound to that shop imports
    (the gateway's keys are bound to a shop, not to a channel)."""
    if (error := _not_its("shop", shop, order.shop)) is not None:
        raise ForeignOrder([error])


def _not_its(field: str, own: str, given: str) -> FieldError | None:
    if own == given:
        return None
    return FieldError(field=field, message=f"the key is for {own!r}, not {given!r}")

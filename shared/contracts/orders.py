"""The canonical order: what every channel adapter turns a channel's native payload into.

It keeps what the suite needs to recognise and describe the buyer and to summarise the order,
nothing channel-specific. Values are carried as the channel sent them (trimmed); normalising
identifiers is the customer service's job, so that one set of rules decides who is who.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, WithJsonSchema

from shared.contracts.envelope import NOT_BLANK, Command, Contract

ChannelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, Field(max_length=300)]
# The store within the channel: a Shopify shop domain, a marketplace id, a store URL. Lowercase
# here, once, so that every key built from it agrees (`Shop.example.com` is `shop.example.com`).
ShopName = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=200)
]


class KnownChannel(StrEnum):
    """Channels with an adapter; a seller's own integrations may use any other channel slug."""

    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    ADOBE_COMMERCE = "adobe_commerce"
    AMAZON = "amazon"
    EBAY = "ebay"
    OWN_STORE = "own_store"


class OrderStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PostalAddress(Contract):
    first_name: Text | None = None
    last_name: Text | None = None
    company: Text | None = None
    line1: Text
    line2: Text | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    city: Text
    region: Text | None = None
    country_code: CountryCode
    phone: Annotated[str, Field(max_length=40)] | None = None


class Buyer(Contract):
    """The person behind an order as the channel knows them."""

    # The channel's own id of the buyer's account; None for a guest checkout.
    channel_customer_id: (
        Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)] | None
    ) = None
    email: Annotated[str, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    company: Text | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None


class MarketingSignal(Contract):
    """A marketing-consent decision an order carried (e.g. "accepts email marketing")."""

    purpose: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    # single_opt_in, double_opt_in, withdrawn or none, as the channel reports it.
    state: Literal["none", "single_opt_in", "double_opt_in", "withdrawn"]
    decided_at: AwareDatetime | None = None
    # The channel's own word for the level (e.g. Shopify's "confirmed_opt_in").
    reported_level: Annotated[str, Field(max_length=100)] | None = None


class CanonicalOrder(Contract):
    channel: ChannelName
    shop: ShopName
    order_id: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
    order_number: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
    placed_at: AwareDatetime
    # When the channel last changed the order: orders later than what a customer record already
    # holds win (survivorship), and a webhook retry carries the same value (idempotency).
    updated_at: AwareDatetime
    status: OrderStatus
    currency: CurrencyCode
    # Documented as the decimal string it is sent as (a number is taken too).
    total: Annotated[
        Decimal,
        Field(ge=0, max_digits=14, decimal_places=4),
        WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$"}),
    ]
    line_count: Annotated[int, Field(ge=0, le=100_000)]
    buyer: Buyer
    billing_address: PostalAddress | None = None
    shipping_address: PostalAddress | None = None
    marketing: tuple[MarketingSignal, ...] = ()

    @property
    def key(self) -> str:
        return order_key(self.channel, self.shop, self.order_id)

    @property
    def names_its_buyer(self) -> bool:
        """Whether the order tells who bought it: an email, a channel account, a name or a
        company, or an address. An order that names nobody cannot make a customer (values are
        trimmed, so a blank one names nobody either)."""
        return any(getattr(self.buyer, name) for name in BUYER_NAMES) or any(
            getattr(self, name) is not None for name in ADDRESSES
        )


# What names a buyer (`CanonicalOrder.names_its_buyer`).
BUYER_NAMES = ("email", "channel_customer_id", "first_name", "last_name", "company")
ADDRESSES = ("billing_address", "shipping_address")
# `names_its_buyer` as JSON Schema, for an API that takes only orders that name their buyer.
NAMES_ITS_BUYER_SCHEMA = {
    "anyOf": [
        *(
            {
                "properties": {
                    "buyer": {
                        "required": [name],
                        "properties": {name: {"type": "string", "pattern": r"\S"}},
                    }
                }
            }
            for name in BUYER_NAMES
        ),
        *({"required": [name], "properties": {name: {"type": "object"}}} for name in ADDRESSES),
    ]
}


def order_key(channel: str, shop: str, order_id: str) -> str:
    """The suite-wide key of one order: `channel:shop:order id` (shop as `ShopName` keeps it)."""
    return f"{channel}:{shop.lower()}:{order_id}"


class UpsertCustomerFromOrder(Command):
    """Make sure the buyer of this order is a customer, and bring the record up to date."""

    type: Literal["customer.upsert_from_order.v1"] = "customer.upsert_from_order.v1"
    order: CanonicalOrder

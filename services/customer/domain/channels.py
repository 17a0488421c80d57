"""The names built from a channel and a shop, each by one function, so that they all agree.

A shop is lowercased by the order contract already (`shared.contracts.orders.ShopName`); an
order's key is the suite-wide `order_key` of that contract: `<sales channel>:<order id>`.
"""

from __future__ import annotations

from shared.contracts.orders import order_key

__all__ = ["account_key", "channel_of", "order_key", "order_provenance", "sales_channel"]


def sales_channel(channel: str, shop: str) -> str:
    """A shop as a customer lists it among their sales channels: `channel:shop`."""
    return f"{channel}:{shop}"


def channel_of(sales_channel: str) -> str:
    """The channel of a sales channel (`shopify` of `shopify:demo.myshopify.com`)."""
    return sales_channel.split(":", 1)[0]


def account_key(channel: str, shop: str, channel_customer_id: str) -> str:
    """A buyer's account at a shop, as a customer lists it: `channel:shop:account id`."""
    return f"{sales_channel(channel, shop)}:{channel_customer_id}"


def order_provenance(channel: str, shop: str, order_id: str) -> str:
    """Where a value an order set came from, as its provenance says.

    Not the order's key: `channel:shop:order:<id>` is the format stored in every customer's
    provenance since the first release, and the API shows it.
    """
    return f"{sales_channel(channel, shop)}:order:{order_id}"

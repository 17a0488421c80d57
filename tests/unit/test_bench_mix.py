"""The benchmark's order stream is what the channels send, and as mixed as a shop's buyers."""

from __future__ import annotations

import json
from collections import Counter

from bench.mix import AMAZON_MARKETPLACE, SHOPIFY_SHOP, WOOCOMMERCE_SHOP, orders
from services.ingest.domain.channels import amazon, shopify, woocommerce
from shared.contracts.orders import CanonicalOrder


def mapped(delivery_channel: str, body: bytes) -> CanonicalOrder:
    payload = json.loads(body)
    if delivery_channel == "shopify":
        return shopify.order_from_webhook(payload, shop=SHOPIFY_SHOP)
    if delivery_channel == "woocommerce":
        return woocommerce.order_from_webhook(payload, shop=WOOCOMMERCE_SHOP)
    return amazon.order_from_api(payload, shop=AMAZON_MARKETPLACE)


def test_every_delivery_maps_to_the_order_it_names() -> None:
    stream = orders(400, seed=3)
    found = [mapped(d.channel, d.body) for d in stream]
    assert [o.key for o in found] == [d.order_key for d in stream]
    assert len({o.key for o in found}) == 400


def test_the_stream_is_mixed_like_a_shops_buyers() -> None:
    found = [mapped(d.channel, d.body) for d in orders(1000, seed=3)]
    channels = Counter(o.channel for o in found)
    assert channels["shopify"] > channels["woocommerce"] > channels["amazon"] > 100
    names = Counter((o.buyer.first_name, o.buyer.last_name) for o in found)
    repeats = sum(n - 1 for n in names.values())
    assert 200 < repeats < 400  # about 30% of orders are by someone who bought before
    guests = [o for o in found if o.channel != "amazon" and o.buyer.channel_customer_id is None]
    assert len(guests) > 150
    masked = [o for o in found if o.channel == "amazon"]
    assert all(o.buyer.email and o.buyer.email.endswith("@marketplace.amazon.de") for o in masked)


def test_the_same_seed_gives_the_same_stream() -> None:
    assert orders(50, seed=9, run="x") == orders(50, seed=9, run="x")
    assert orders(50, seed=9, run="x") != orders(50, seed=10, run="x")

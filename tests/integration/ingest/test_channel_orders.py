"""Orders arrive only with an integration's key, and only the integration's own: pulled from
Amazon, eBay and Adobe Commerce, or canonical (`POST /v1/orders`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Namespace, suite_of
from tests.fixtures.channels import raw
from tests.integration.ingest.channels import (
    ADOBE_KEY,
    AMAZON_KEY,
    CANONICAL_KEYS,
    EBAY_KEY,
    configure_channels,
)
from tests.support.broker import tap
from tests.support.orders import INTEGRATION_KEY, order_json
from tests.support.waiting import eventually

UPSERT = "customer.upsert_from_order.v1"


@pytest.fixture
async def ingest(namespace: Namespace, monkeypatch: pytest.MonkeyPatch) -> Any:
    configure_channels(monkeypatch)
    async with (
        suite_of(namespace, ("ingest",)) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.commands.name) as commands,
    ):
        yield suite, commands


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


async def test_each_integration_brings_in_its_own_shops_orders(ingest: Any) -> None:
    suite, commands = ingest
    for channel, fixture, key in (
        ("amazon", ("amazon", "order_shipped"), AMAZON_KEY),
        ("ebay", ("ebay", "order_paid"), EBAY_KEY),
        ("adobe_commerce", ("adobe_commerce", "order_registered"), ADOBE_KEY),
    ):
        response = await suite.ingest.post(
            f"/v1/channels/{channel}/orders", content=raw(*fixture), headers=bearer(key)
        )
        assert response.status_code == 202, response.text

    bodies = await commands.wait_for(3, UPSERT)
    shops = {(b["order"]["channel"], b["order"]["shop"], b["order"]["order_id"]) for b in bodies}
    assert shops == {
        ("amazon", "seller-eu", "302-8183041-6612345"),
        ("ebay", "vintage_finds_uk", "12-11345-67890"),
        ("adobe_commerce", "shop.example.ch", "1102"),
    }


async def test_without_the_channels_key_nothing_is_taken(ingest: Any) -> None:
    suite, commands = ingest
    body = raw("amazon", "order_shipped")
    for authorization in ("", "Bearer wrong-key-wrong-key-wrong-key", AMAZON_KEY):
        refused = await suite.ingest.post(
            "/v1/channels/amazon/orders",
            content=body,
            headers={"Authorization": authorization, "Content-Type": "application/json"},
        )
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
    # A valid key, but of another channel's integration.
    other_channel = await suite.ingest.post(
        "/v1/channels/amazon/orders", content=body, headers=bearer(EBAY_KEY)
    )
    assert other_channel.status_code == 403, other_channel.text
    assert [e["field"] for e in other_channel.json()["errors"]] == ["channel"]
    # An order of a marketplace the Amazon integration does not sell in.
    us_order = raw("amazon", "order_shipped").replace(b"A1PA6795UKMFR9", b"ATVPDKIKX0DER")
    other_marketplace = await suite.ingest.post(
        "/v1/channels/amazon/orders", content=us_order, headers=bearer(AMAZON_KEY)
    )
    assert other_marketplace.status_code == 403, other_marketplace.text
    assert other_marketplace.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in other_marketplace.json()["errors"]] == ["Order.MarketplaceId"]
    unknown = await suite.ingest.post(
        "/v1/channels/etsy/orders", content=body, headers=bearer(AMAZON_KEY)
    )
    assert unknown.status_code == 422

    pending = await suite.ingest.post(
        "/v1/channels/amazon/orders",
        content=raw("amazon", "order_pending").replace(b"ATVPDKIKX0DER", b"A1PA6795UKMFR9"),
        headers=bearer(AMAZON_KEY),
    )
    assert pending.status_code == 422
    assert [e["field"] for e in pending.json()["errors"]] == ["Order.BuyerInfo.BuyerEmail"]

    # Proof that none of the above was published: the next accepted order is the first.
    accepted = await suite.ingest.post(
        "/v1/channels/ebay/orders", content=raw("ebay", "order_paid"), headers=bearer(EBAY_KEY)
    )
    assert accepted.status_code == 202
    await eventually(lambda: commands.bodies(UPSERT))
    assert [b["order"]["channel"] for b in commands.bodies(UPSERT)] == ["ebay"]


async def test_canonical_orders_come_only_from_the_integration_of_their_shop(ingest: Any) -> None:
    suite, commands = ingest
    order = order_json(order_id="C-1")
    anonymous = await suite.ingest.post("/v1/orders", json=order, headers={"Authorization": ""})
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["www-authenticate"] == "Bearer"
    woo_key = CANONICAL_KEYS[("woocommerce", "siop.example.co.uk")]
    foreign = await suite.ingest.post("/v1/orders", json=order, headers=bearer(woo_key))
    assert foreign.status_code == 403, foreign.text
    assert [e["field"] for e in foreign.json()["errors"]] == ["channel", "shop"]
    nobody = order_json(order_id="C-2", email=None, first_name=None, last_name=None)
    nobody["billing_address"] = None
    refused = await suite.ingest.post("/v1/orders", json=nobody, headers=bearer(INTEGRATION_KEY))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["buyer"]

    own = await suite.ingest.post("/v1/orders", json=order, headers=bearer(INTEGRATION_KEY))
    assert own.status_code == 202, own.text
    await eventually(lambda: commands.bodies(UPSERT))
    assert [b["order"]["order_id"] for b in commands.bodies(UPSERT)] == ["C-1"]

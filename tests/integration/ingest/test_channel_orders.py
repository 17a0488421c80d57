"""Orders pulled from Amazon, eBay and Adobe Commerce arrive with an integration's API key."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Namespace, suite_of
from tests.fixtures.channels import raw
from tests.integration.ingest.channels import ADOBE_KEY, AMAZON_KEY, EBAY_KEY, configure_channels
from tests.support.broker import tap
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
    for headers in (
        {},
        bearer("wrong-key-wrong-key-wrong-key"),
        # A valid key, but of another channel's integration.
        bearer(EBAY_KEY),
        {"Authorization": AMAZON_KEY},
    ):
        refused = await suite.ingest.post(
            "/v1/channels/amazon/orders", content=body, headers=headers
        )
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
    unknown = await suite.ingest.post(
        "/v1/channels/etsy/orders", content=body, headers=bearer(AMAZON_KEY)
    )
    assert unknown.status_code == 422

    pending = await suite.ingest.post(
        "/v1/channels/amazon/orders",
        content=raw("amazon", "order_pending"),
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

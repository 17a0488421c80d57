"""Orders pulled from Amazon, eBay and Adobe Commerce become customers, through throttling,
expired tokens, paging and malformed orders; the integration's state tells what happened."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.contracts.envelope import utc_now
from shared.contracts.integrations import (
    CheckIntegration,
    GetIntegrations,
    ReplayParkedOrders,
)
from shared.mongo import Document
from tests.conftest import TEST_ACTOR, Suite
from tests.integration.ingest.serving import served
from tests.integration.pullers.conftest import (
    ADOBE_KEY,
    AMAZON_KEY,
    EBAY_KEY,
    Asking,
    customer_with_email,
    pullers,
)
from tests.integration.pullers.marketplaces import (
    ADOBE_PASSWORD,
    ADOBE_USERNAME,
    AMAZON_CLIENT_ID,
    AMAZON_CLIENT_SECRET,
    AMAZON_REFRESH_TOKEN,
    EBAY_CLIENT_ID,
    EBAY_CLIENT_SECRET,
    EBAY_REFRESH_TOKEN,
    FakeAdobeCommerce,
    FakeAmazon,
    FakeEbay,
    adobe_order,
    amazon_order,
    ebay_order,
)
from tests.support.proxy import cuttable_proxy
from tests.support.waiting import eventually
from tools import check_channel

POLLING = {"poll_interval_s": 1, "initial_lookback_days": 1, "page_size": 2}


async def state_of(ask: Asking, name: str) -> dict[str, Any]:
    listing = await ask(GetIntegrations(actor=TEST_ACTOR))
    [state] = [s for s in listing["items"] if s["name"] == name]
    return state  # type: ignore[no-any-return]


async def customers_arrive(
    mongo: AsyncMongoClient[Document], world: Suite, emails: list[str]
) -> list[Document]:
    found = []
    for email in emails:

        async def arrived(email: str = email) -> Document | None:
            return await customer_with_email(mongo, world, email)

        found.append(await eventually(arrived, timeout=30, what=f"a customer with {email}"))
    return found


async def test_amazon_orders_become_customers_through_throttling_and_an_expired_token(
    world: Suite,
    ingest_url: str,
    monkeypatch: pytest.MonkeyPatch,
    mongo: AsyncMongoClient[Document],
    ask: Asking,
) -> None:
    now = utc_now()
    emails = [f"k{i}x9fk2lq0x7mzt@marketplace.amazon.de" for i in range(5)]
    orders = [
        amazon_order(i, now - timedelta(hours=5 - i), email=email, name=f"Jörg Weiß{i}")
        for i, email in enumerate(emails)
    ]
    orders[2]["Order"]["PurchaseDate"] = "yesterday evening"
    amazon = FakeAmazon(orders, throttle=1, expire_after_pages=1)
    async with served(amazon.app()) as url:
        integration = POLLING | {
            "name": "amazon-de",
            "channel": "amazon",
            "shop": "A1PA6795UKMFR9",
            "ingest_key": AMAZON_KEY,
            "marketplace_ids": ["A1PA6795UKMFR9"],
            "client_id": AMAZON_CLIENT_ID,
            "client_secret": AMAZON_CLIENT_SECRET,
            "refresh_token": AMAZON_REFRESH_TOKEN,
            "api_url": url,
            "token_url": f"{url}/auth/o2/token",
        }
        async with pullers(ingest_url, monkeypatch, integration):
            customers = await customers_arrive(mongo, world, [emails[i] for i in (0, 1, 3, 4)])
            state = await eventually(
                lambda: _pulled(ask, "amazon-de", 4), timeout=30, what="four orders pulled"
            )

    assert {c["last_name"] for c in customers} == {"Weiß0", "Weiß1", "Weiß3", "Weiß4"}
    # The first page was throttled and asked again; the token that expired after the first
    # page was renewed (a second access token and restricted data token).
    assert amazon.calls[:3] == ["createRestrictedDataToken", "getOrders", "getOrders"]
    assert amazon.lwa.issued >= 2
    assert amazon.restricted.issued >= 2
    assert state["last_error"] is None
    assert state["watermark"] is not None
    [parked] = state["parked"]
    assert parked["order_id"] == "302-0000002-6612345"
    assert [e["field"] for e in parked["errors"]] == ["Order.PurchaseDate"]
    assert state["parked_count"] == 1


async def _pulled(ask: Asking, name: str, count: int) -> dict[str, Any] | None:
    state = await state_of(ask, name)
    return state if state["orders_pulled"] >= count else None


async def test_ebay_orders_are_paged_and_an_expired_token_is_renewed_across_restarts(
    world: Suite,
    ingest_url: str,
    monkeypatch: pytest.MonkeyPatch,
    mongo: AsyncMongoClient[Document],
    ask: Asking,
) -> None:
    now = utc_now()
    emails = [f"{i}a1b2c3d4e5f@members.ebay.com" for i in range(3)]
    ebay = FakeEbay(
        [
            ebay_order(i, now - timedelta(hours=3 - i), username=f"collector_{i}", email=email)
            for i, email in enumerate(emails)
        ],
        expire_after_pages=1,
    )
    async with served(ebay.app()) as url:
        integration = POLLING | {
            "name": "ebay-uk",
            "channel": "ebay",
            "shop": "vintage_finds_uk",
            "ingest_key": EBAY_KEY,
            "client_id": EBAY_CLIENT_ID,
            "client_secret": EBAY_CLIENT_SECRET,
            "refresh_token": EBAY_REFRESH_TOKEN,
            "api_url": url,
            "token_url": f"{url}/identity/v1/oauth2/token",
        }
        async with pullers(ingest_url, monkeypatch, integration):
            await customers_arrive(mongo, world, emails)
            first = await eventually(lambda: _pulled(ask, "ebay-uk", 3), timeout=30)
        assert ebay.rejected >= 1
        assert ebay.tokens.issued >= 2

        # While the pullers are down, eBay shows an order updated a minute ago, behind the
        # watermark: the next replica continues from the watermark and finds it in the overlap.
        late = ebay_order(
            9, utc_now() - timedelta(minutes=1), username="late_buyer", email="l@x.de"
        )
        ebay.orders.append(late)
        async with pullers(ingest_url, monkeypatch, integration | {"overlap_s": 3600}):
            await customers_arrive(mongo, world, ["l@x.de"])
            second = await state_of(ask, "ebay-uk")

    # The overlap read the first three again: the same messages, so one customer each, and
    # they are not counted again (nor is the late one, whose update was behind the watermark).
    assert second["orders_pulled"] == 3
    assert second["watermark"] >= first["watermark"]
    assert second["last_error"] is None
    for email in emails:
        customer = await customer_with_email(mongo, world, email)
        assert customer is not None
        assert (
            await world.db(mongo, "customer")["customers"].count_documents(
                {"emails.address": email}
            )
            == 1
        )


async def test_adobe_commerce_parks_a_malformed_order_and_waits_out_an_ingest_outage(
    world: Suite,
    ingest_url: str,
    monkeypatch: pytest.MonkeyPatch,
    mongo: AsyncMongoClient[Document],
    ask: Asking,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = utc_now()
    adobe = FakeAdobeCommerce(
        [
            adobe_order(2001, now - timedelta(hours=2), email="jurg@example.ch"),
            adobe_order(
                2002, now - timedelta(hours=1), email="moon@example.ch", state="on_the_moon"
            ),
            adobe_order(2003, now - timedelta(minutes=30), email="vreni@example.ch"),
        ]
    )
    port = int(ingest_url.rsplit(":", 1)[1])
    async with served(adobe.app()) as url, cuttable_proxy("127.0.0.1", port) as proxy:
        await proxy.cut()
        integration = POLLING | {
            "name": "shop-ch",
            "channel": "adobe_commerce",
            "shop": "shop.example.ch",
            "ingest_key": ADOBE_KEY,
            "api_url": f"{url}/rest/default",
            "username": ADOBE_USERNAME,
            "password": ADOBE_PASSWORD,
        }
        async with pullers(f"http://127.0.0.1:{proxy.port}", monkeypatch, integration):
            down = await eventually(
                lambda: _failed(ask, "shop-ch"), timeout=30, what="a pull that found ingest down"
            )
            assert down["watermark"] is None
            assert down["orders_pulled"] == 0

            await proxy.restore()
            await customers_arrive(mongo, world, ["jurg@example.ch", "vreni@example.ch"])
            state = await eventually(lambda: _pulled(ask, "shop-ch", 2), timeout=30)
            assert state["watermark"] is not None
            [parked] = state["parked"]
            assert (parked["order_id"], parked["attempts"]) == ("2002", 1)
            assert "on_the_moon" in parked["reason"]
            assert [e["field"] for e in parked["errors"]] == ["state"]
            assert await customer_with_email(mongo, world, "moon@example.ch") is None

            replayed = await ask(ReplayParkedOrders(integration="shop-ch", actor=TEST_ACTOR))
            assert replayed == {"accepted": [], "still_parked": ["2002"]}
            again = await state_of(ask, "shop-ch")
            assert again["parked"][0]["attempts"] == 2

            check = await ask(CheckIntegration(integration="shop-ch", days=1, actor=TEST_ACTOR))
            assert (check["orders_found"], check["more"]) == (2, True)
            assert check["newest_update"] is not None

            # The seller's tool asks the same, and says what it found.
            code = await asyncio.to_thread(check_channel.main, ["shop-ch", "--days", "1"])
            assert code == 0
            printed = capsys.readouterr().out
            assert "shop-ch (adobe_commerce, shop shop.example.ch): connection works" in printed
            assert "orders updated since" in printed
            assert await asyncio.to_thread(check_channel.main, ["no-such-shop"]) == 1
    assert adobe.logins >= 1


async def _failed(ask: Asking, name: str) -> dict[str, Any] | None:
    state = await state_of(ask, name)
    return state if state["last_error"] else None

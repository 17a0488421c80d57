"""The intake: a payload becomes a command, published; an unmappable one is refused unpublished."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from services.ingest.domain.integrations import ForeignOrder, Integration
from services.ingest.domain.orders import order_message_id
from services.ingest.use_cases.intake import BrokerUnavailable, Intake
from shared.contracts.envelope import ActorType, Command
from shared.contracts.orders import Buyer, UpsertCustomerFromOrder
from shared.contracts.privacy import EraseShop
from shared.errors import InvalidInput
from tests.fixtures.channels import payload
from tests.support.orders import order

SHOP = "demo-store.myshopify.com"


class Publisher:
    """Confirms every command, unless the broker is `down`."""

    def __init__(self, *, down: bool = False) -> None:
        self.published: list[Command] = []
        self.down = down

    async def publish(self, command: Command, *, what: str) -> None:
        if self.down:
            raise BrokerUnavailable()
        self.published.append(command)


def shopify_order() -> Any:
    return payload("shopify", "orders_create_registered")


async def test_a_shopify_order_is_published_as_its_buyers_upsert() -> None:
    publisher = Publisher()
    accepted = await Intake(publisher).shopify_webhook(
        "orders/create", shopify_order(), shop=SHOP, delivery="d-1", correlation_id="wh-1"
    )
    [command] = publisher.published
    assert isinstance(command, UpsertCustomerFromOrder)
    assert accepted.message_id == command.message_id == order_message_id(command.order)
    assert command.correlation_id == "wh-1"
    assert (command.actor.type, command.actor.id) == (ActorType.SYSTEM, f"shopify:{SHOP}")


async def test_a_privacy_webhook_is_published_as_its_gdpr_command() -> None:
    publisher = Publisher()
    request = {"shop_id": 954889, "shop_domain": SHOP}
    await Intake(publisher).shopify_webhook(
        "shop/redact", request, shop=SHOP, delivery="event-7", correlation_id=None
    )
    [command] = publisher.published
    assert isinstance(command, EraseShop)
    assert command.shop == SHOP


async def test_an_unmappable_order_is_refused_naming_the_channels_field_and_not_published() -> None:
    publisher = Publisher()
    broken = {**shopify_order(), "currency": "euro"}
    with pytest.raises(InvalidInput) as refused:
        await Intake(publisher).shopify_webhook(
            "orders/create", broken, shop=SHOP, delivery="d-1", correlation_id=None
        )
    assert [e.field for e in refused.value.errors] == ["currency"]
    assert refused.value.detail.startswith("The Shopify order cannot be taken")
    assert publisher.published == []


AMAZON = Integration(
    channel="amazon",
    shop="Seller-EU",
    api_key=SecretStr("amazon-integration-key-0123456789"),
    marketplaces=("A1PA6795UKMFR9",),
)
OWN_STORE = Integration(
    channel="own_store", shop="shop.example.com", api_key=SecretStr("own-store-key-0123456789abc")
)


async def test_a_pulled_order_belongs_to_the_integrations_shop() -> None:
    publisher = Publisher()
    await Intake(publisher).pulled_order(
        AMAZON, "amazon", payload("amazon", "order_shipped"), correlation_id=None
    )
    [command] = publisher.published
    assert isinstance(command, UpsertCustomerFromOrder)
    assert (command.order.channel, command.order.shop) == ("amazon", "seller-eu")


async def test_an_amazon_order_of_another_marketplace_is_foreign() -> None:
    publisher = Publisher()
    us_order = payload("amazon", "order_shipped")
    us_order["Order"]["MarketplaceId"] = "ATVPDKIKX0DER"
    with pytest.raises(ForeignOrder) as refused:
        await Intake(publisher).pulled_order(AMAZON, "amazon", us_order, correlation_id=None)
    assert [e.field for e in refused.value.errors] == ["Order.MarketplaceId"]
    with pytest.raises(ForeignOrder) as refused:
        await Intake(publisher).pulled_order(
            AMAZON, "ebay", payload("ebay", "order_paid"), correlation_id=None
        )
    assert [e.field for e in refused.value.errors] == ["channel"]
    assert publisher.published == []


async def test_a_canonical_order_must_be_of_the_integrations_channel_and_shop() -> None:
    publisher = Publisher()
    intake = Intake(publisher)
    own = order(channel="own_store", shop="Shop.Example.com")
    await intake.integration_order(OWN_STORE, own, correlation_id=None)
    for foreign, fields in (
        (order(channel="own_store", shop="other.example.com"), ["shop"]),
        (order(channel="shopify", shop="shop.example.com"), ["channel"]),
        (order(), ["channel", "shop"]),
    ):
        with pytest.raises(ForeignOrder) as refused:
            await intake.integration_order(OWN_STORE, foreign, correlation_id=None)
        assert [e.field for e in refused.value.errors] == fields
    assert [
        c.order.order_id for c in publisher.published if isinstance(c, UpsertCustomerFromOrder)
    ] == [own.order_id]


async def test_a_canonical_order_that_names_nobody_is_refused() -> None:
    """It could only make a blank customer, which POST /v1/customers refuses too."""
    publisher = Publisher()
    nobody = order(
        channel="own_store", shop="shop.example.com", email=" ", first_name=None, last_name=""
    ).model_copy(update={"billing_address": None})
    with pytest.raises(InvalidInput) as refused:
        await Intake(publisher).integration_order(OWN_STORE, nobody, correlation_id=None)
    assert [e.field for e in refused.value.errors] == ["buyer"]
    assert publisher.published == []
    for naming in ({"email": "a@example.com"}, {"company": "ACME"}, {"channel_customer_id": "7"}):
        somebody = nobody.model_copy(update={"buyer": Buyer.model_validate(naming)})
        await Intake(publisher).integration_order(OWN_STORE, somebody, correlation_id=None)
    assert len(publisher.published) == 3


async def test_without_the_broker_nothing_is_accepted() -> None:
    with pytest.raises(BrokerUnavailable):
        await Intake(Publisher(down=True)).shopify_webhook(
            "orders/create", shopify_order(), shop=SHOP, delivery="d-1", correlation_id=None
        )

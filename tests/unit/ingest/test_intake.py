"""The intake: a payload becomes a command, published; an unmappable one is refused unpublished."""

from __future__ import annotations

from typing import Any

import pytest

from services.ingest.domain.orders import order_message_id
from services.ingest.use_cases.intake import BrokerUnavailable, Intake
from shared.contracts.envelope import ActorType, Command
from shared.contracts.orders import UpsertCustomerFromOrder
from shared.contracts.privacy import EraseShop
from shared.errors import InvalidInput
from tests.fixtures.channels import payload

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


async def test_a_pulled_order_belongs_to_the_integrations_shop() -> None:
    publisher = Publisher()
    await Intake(publisher).pulled_order(
        "amazon", payload("amazon", "order_shipped"), shop="Seller-EU", correlation_id=None
    )
    [command] = publisher.published
    assert isinstance(command, UpsertCustomerFromOrder)
    assert (command.order.channel, command.order.shop) == ("amazon", "seller-eu")


async def test_without_the_broker_nothing_is_accepted() -> None:
    with pytest.raises(BrokerUnavailable):
        await Intake(Publisher(down=True)).shopify_webhook(
            "orders/create", shopify_order(), shop=SHOP, delivery="d-1", correlation_id=None
        )

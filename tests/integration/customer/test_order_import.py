"""Points 1, 2 and 4 through the real broker: who the buyer is, which value survives, what an
order leaves behind (summary, statistics, consent commands), and that nothing is done twice."""

from __future__ import annotations

import json
from typing import Any

import aio_pika
import httpx

from shared.contracts.orders import MarketingSignal, OrderStatus
from tests.conftest import Namespace
from tests.integration.customer.conftest import Producer, count_is, ok
from tests.support.broker import Tap, drain
from tests.support.orders import upsert
from tests.support.waiting import eventually


async def customer_with(api: httpx.AsyncClient, **params: Any) -> dict[str, Any] | None:
    items = ok(await api.get("/v1/customers", params=params))["items"]
    assert len(items) <= 1, items
    return items[0] if items else None


async def test_a_guest_order_with_the_email_of_an_account_joins_that_account(
    api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    await producer.order(email="kim@example.com", customer_id="acc-7", first_name="Kim")
    account = await eventually(lambda: customer_with(api, email="kim@example.com"))

    # A guest checkout in the same shop: no account id, the same address in other spelling.
    await producer.order(email="KIM@Example.com", customer_id=None, updated_minutes=5)
    await eventually(
        lambda: db["orders"].count_documents({"customer_id": account["id"]}),
        what="the guest order on the account",
    )
    assert await db["customers"].count_documents({}) == 1
    claims = sorted([doc["_id"] async for doc in db["identities"].find({})])
    assert claims == ["account:shopify:demo-store.myshopify.com:acc-7", "email:kim@example.com"]


async def test_a_masked_marketplace_email_identifies_only_within_its_channel(
    api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    masked = "x7k2p9q4r1@marketplace.amazon.de"
    for channel, shop, minutes in (
        ("amazon", "A1PA6795UKMFR9", 0),
        ("amazon", "A1PA6795UKMFR9", 1),
        ("ebay", "ebay-de", 2),
    ):
        await producer.order(email=masked, channel=channel, shop=shop, updated_minutes=minutes)
    await eventually(count_is(db["orders"], 3), what="three orders")
    customers = [doc async for doc in db["customers"].find({}).sort("number", 1)]
    assert [c["channels"] for c in customers] == [["amazon:a1pa6795ukmfr9"], ["ebay:ebay-de"]]
    assert customers[0]["stats"]["order_count"] == 2
    claims = sorted([doc["_id"] async for doc in db["identities"].find({})])
    assert claims == [f"masked_email:amazon:{masked}", f"masked_email:ebay:{masked}"]


async def test_a_redelivered_order_changes_nothing_the_second_time(
    api: httpx.AsyncClient, producer: Producer, db: Any, events: Tap
) -> None:
    command = upsert(email="twice@example.com", order_id="dup-1")
    await producer.send(command)
    await producer.send(command)  # the same message id: what a redelivery or replay looks like
    await producer.order(email="twice@example.com", order_id="dup-2", updated_minutes=1)
    customer = await eventually(
        lambda: db["customers"].find_one({"stats.order_count": 2}), what="the second order"
    )
    assert customer["version"] == 2
    assert await db["orders"].count_documents({}) == 2
    assert await db["activities"].count_documents({"customer_id": customer["_id"]}) == 2
    await events.wait_for(1, "customer.created.v1")
    assert len(events.bodies("customer.created.v1")) == 1


async def test_newer_channel_data_wins_whatever_the_delivery_order(
    api: httpx.AsyncClient, producer: Producer, db: Any
) -> None:
    # The later state of one order is delivered first, the earlier one after it.
    await producer.order(
        email="late@example.com", order_id="o-1", first_name="Maximilian", updated_minutes=10
    )
    await eventually(lambda: customer_with(api, email="late@example.com"))
    late = upsert(email="late@example.com", order_id="o-1", first_name="Max", updated_minutes=0)
    order = late.order.model_copy(update={"status": OrderStatus.CANCELLED})
    await producer.send(late.model_copy(update={"order": order}))
    await producer.order(email="late@example.com", order_id="o-2", updated_minutes=5)
    await eventually(count_is(db["orders"], 2), what="both orders")
    await eventually(count_is(db["inbox"], 3), what="all three messages processed")
    customer = await customer_with(api, email="late@example.com")
    assert customer is not None
    assert customer["first_name"] == "Maximilian"
    assert customer["provenance"]["first_name"]["source"].endswith(":order:o-1")
    # The stale 'cancelled' did not replace the newer state of the order.
    summary = await db["orders"].find_one({"order_id": "o-1"})
    assert summary["status"] == "processing"
    assert customer["stats"]["order_count"] == 2
    assert customer["stats"]["revenue"] == {"EUR": "119.80"}


async def test_a_value_set_by_hand_survives_later_imports(
    api: httpx.AsyncClient, producer: Producer
) -> None:
    await producer.order(email="hand@example.com", first_name="Anna", last_name="Schmidt")
    created = await eventually(lambda: customer_with(api, email="hand@example.com"))
    ok(await api.patch(f"/v1/customers/{created['id']}", json={"first_name": "Anne"}))

    await producer.order(
        email="hand@example.com", first_name="Anna", last_name="Schmidt-Weber", updated_minutes=60
    )

    async def renamed() -> Any:
        found = await customer_with(api, email="hand@example.com")
        return found if found and found["last_name"] == "Schmidt-Weber" else None

    customer = await eventually(renamed, what="the import's last name")
    assert customer["first_name"] == "Anne"
    assert customer["provenance"]["first_name"]["by_hand"] is True
    assert customer["provenance"]["last_name"]["by_hand"] is False


async def test_marketing_signals_go_to_the_consent_service_with_their_evidence(
    api: httpx.AsyncClient, producer: Producer, commands: Tap
) -> None:
    command = upsert(email="optin@example.com", order_id="m-1")
    signals = (
        MarketingSignal(purpose="email", state="single_opt_in", reported_level="single_opt_in"),
        MarketingSignal(purpose="sms", state="withdrawn"),
    )
    order = command.order.model_copy(update={"marketing": signals})
    await producer.send(command.model_copy(update={"order": order}))
    customer = await eventually(lambda: customer_with(api, email="optin@example.com"))

    records = await commands.wait_for(2, "consent.record.v1")
    by_purpose = {r["purpose"]: r for r in records}
    assert set(by_purpose) == {"email", "sms"}
    email = by_purpose["email"]
    assert email["customer_id"] == customer["id"]
    assert email["state"] == "single_opt_in"
    assert email["causation_id"] == command.message_id
    assert email["evidence"]["source"] == "order_import"
    assert email["evidence"]["order_id"] == "m-1"
    assert email["evidence"]["shop"] == "demo-store.myshopify.com"
    assert email["evidence"]["reported_level"] == "single_opt_in"
    assert by_purpose["sms"]["state"] == "withdrawn"


async def test_a_message_that_cannot_be_processed_is_parked_with_the_reason(
    namespace: Namespace, api: httpx.AsyncClient, db: Any
) -> None:
    body = json.loads(upsert(email="bad@example.com").model_dump_json())
    body["order"]["currency"] = "euro"
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(namespace.topology.commands.name)
        await exchange.publish(
            aio_pika.Message(json.dumps(body).encode(), content_type="application/json"),
            routing_key=body["type"],
        )
    parked = await eventually(
        lambda: drain(namespace.infra.amqp_url, namespace.topology.customer.dead_letter_name),
        what="the parked message",
    )
    reason = parked[0].headers["x-failure-reason"]
    assert "order.currency" in str(reason)
    assert await db["customers"].count_documents({}) == 0

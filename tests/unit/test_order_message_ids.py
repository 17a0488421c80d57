"""Ingest derives a message id from the order's identity and state: a retry is the same message."""

from __future__ import annotations

from datetime import timedelta, timezone

from services.ingest.domain.orders import order_message_id, upsert_command
from shared.contracts.envelope import Actor, ActorType
from tests.support.orders import order

ACTOR = Actor(type=ActorType.SYSTEM, id="shopify:demo")


def test_the_same_order_in_the_same_state_is_the_same_message() -> None:
    first = order(order_id="42", updated_minutes=3)
    retry = first.model_copy()
    assert order_message_id(first) == order_message_id(retry)
    assert (
        upsert_command(first, actor=ACTOR).message_id
        == upsert_command(retry, actor=ACTOR).message_id
    )


def test_the_same_moment_in_another_zone_is_the_same_message() -> None:
    utc = order(order_id="42")
    berlin = utc.model_copy(
        update={"updated_at": utc.updated_at.astimezone(timezone(timedelta(hours=1)))}
    )
    assert order_message_id(utc) == order_message_id(berlin)


def test_an_update_another_order_or_another_shop_is_another_message() -> None:
    base = order(order_id="42")
    ids = {
        order_message_id(base),
        order_message_id(order(order_id="42", updated_minutes=1)),
        order_message_id(order(order_id="43")),
        order_message_id(order(order_id="42", shop="other.myshopify.com")),
        order_message_id(order(order_id="42", channel="woocommerce")),
    }
    assert len(ids) == 5


def test_the_correlation_id_defaults_to_the_message_id() -> None:
    command = upsert_command(order(), actor=ACTOR)
    assert command.correlation_id == command.message_id
    assert upsert_command(order(), actor=ACTOR, correlation_id="req-7").correlation_id == "req-7"

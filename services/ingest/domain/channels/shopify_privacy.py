"""Shopify's mandatory privacy webhooks, as the suite's GDPR commands.

Shopify sends them to every app that holds its shops' customer data (privacy law compliance):

    customers/data_request  {shop_id, shop_domain, orders_requested: [ids],
                             customer: {id, email, phone}, data_request: {id}}
                            -> RecordDataRequest (fulfilled by the customer's export)
    customers/redact        {shop_id, shop_domain, customer: {id, email, phone},
                             orders_to_redact: [ids]}
                            -> EraseChannelCustomer (the customer service's erasure)
    shop/redact             {shop_id, shop_domain}, 48 hours after the shop removed the app
                            -> EraseShop

The phone number is not passed on: phones identify nobody in the suite (households and
companies share them). The same delivery gives the same message id, so a retry changes nothing:
a data request is named by Shopify's own id for it, a redaction by the delivery (`delivery`: the
event id Shopify keeps on every retry, see `entrypoints.webhooks`).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import ValidationError

from services.ingest.domain.channels.reading import Document, Unmappable
from services.ingest.domain.orders import shop_actor, shop_name
from shared.contracts.envelope import Command
from shared.contracts.orders import KnownChannel
from shared.contracts.privacy import EraseChannelCustomer, EraseShop, RecordDataRequest
from shared.contracts.replies import FieldError

DATA_REQUEST = "customers/data_request"
CUSTOMER_REDACT = "customers/redact"
SHOP_REDACT = "shop/redact"
PRIVACY_TOPICS = frozenset({DATA_REQUEST, CUSTOMER_REDACT, SHOP_REDACT})
CHANNEL = KnownChannel.SHOPIFY.value
C = TypeVar("C", bound=Command)
# The payload's field behind each field of the commands, for errors that name the field.
_ORIGINS = {
    "channel_customer_id": "customer.id",
    "email": "customer.email",
    "request.request_id": "data_request.id",
    "shop": "shop_domain",
    "order_ids": "orders_to_redact",
}
# Fixed namespace of privacy request message ids; changing it would make every retry look new.
_PRIVACY_NAMESPACE = uuid.UUID("b7e2c4d1-9a03-4f5e-8c6b-2d1f0a9e3b74")


def privacy_command(
    topic: str, payload: Any, *, shop: str, delivery: str, correlation_id: str | None
) -> Command:
    """The command for a privacy webhook of `shop` (the shop that signed it)."""
    request = Document.root(payload)
    domain = request.text("shop_domain", required=True)
    assert domain is not None
    if shop_name(domain) != shop:
        raise Unmappable.at("shop_domain", f"{domain!r} is not the shop that signed the request")
    if topic == SHOP_REDACT:
        message_id = _message_id(shop, topic, delivery)
        return _command(
            EraseShop,
            {"channel": CHANNEL, "shop": shop, "run_id": message_id},
            message_id=message_id,
            shop=shop,
            correlation_id=correlation_id,
        )
    customer = request.child("customer", required=True)
    assert customer is not None
    person = {"channel_customer_id": customer.text("id"), "email": customer.text("email")}
    if not any(person.values()):
        raise Unmappable.at("customer", "names nobody: an id or an email is required")
    if topic == DATA_REQUEST:
        request_id = request.text("data_request.id", required=True)
        assert request_id is not None
        return _command(
            RecordDataRequest,
            {
                "request": {"channel": CHANNEL, "shop": shop, "request_id": request_id},
                "orders_requested": _ids(request, "orders_requested"),
                **person,
            },
            message_id=_message_id(shop, topic, request_id),
            shop=shop,
            correlation_id=correlation_id,
        )
    return _command(
        EraseChannelCustomer,
        {
            "channel": CHANNEL,
            "shop": shop,
            "order_ids": _ids(request, "orders_to_redact"),
            "reason": f"Shopify {CUSTOMER_REDACT} from {shop}",
            **person,
        },
        message_id=_message_id(shop, topic, delivery),
        shop=shop,
        correlation_id=correlation_id,
    )


def _command(
    kind: type[C], values: dict[str, Any], *, message_id: str, shop: str, correlation_id: str | None
) -> C:
    try:
        return kind.model_validate(
            {
                **values,
                "message_id": message_id,
                "correlation_id": correlation_id or message_id,
                "actor": shop_actor(CHANNEL, shop),
            }
        )
    except ValidationError as error:
        raise Unmappable(
            [FieldError(field=_payload_field(e["loc"]), message=e["msg"]) for e in error.errors()]
        ) from None


def _payload_field(location: tuple[Any, ...]) -> str:
    head, *rest = [str(p) for p in location]
    if rest and f"{head}.{rest[0]}" in _ORIGINS:
        head, rest = _ORIGINS[f"{head}.{rest[0]}"], rest[1:]
    return ".".join([_ORIGINS.get(head, head), *rest])


def _message_id(shop: str, topic: str, key: str) -> str:
    return uuid.uuid5(_PRIVACY_NAMESPACE, "\x1f".join((CHANNEL, shop, topic, key))).hex


def _ids(request: Document, key: str) -> tuple[str, ...]:
    """Shopify's order ids: numbers (or, from some tools, text)."""
    value = request.raw(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise Unmappable.at(key, "must be a list of order ids")
    ids = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | str) or not str(item).strip():
            raise Unmappable.at(f"{key}[{index}]", "must be an order id")
        ids.append(str(item).strip())
    return tuple(ids)

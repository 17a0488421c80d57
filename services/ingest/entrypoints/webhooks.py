"""Webhook entry points of the shops that push their orders: Shopify and WooCommerce.

Order of checks: the signature first (a request we cannot attribute to a shop learns nothing
else), then the topic, then the payload. Nothing is published unless all three pass; a 2xx
means RabbitMQ confirmed the command. The channel's delivery id becomes the command's
correlation id, so a customer's timeline leads back to the delivery.

Shopify's mandatory privacy webhooks (customers/data_request, customers/redact, shop/redact)
arrive at the same URL with the same signature and become GDPR commands
(`domain.channels.shopify_privacy`); a redaction is named by X-Shopify-Event-Id, which Shopify
keeps on every retry of one event (else X-Shopify-Webhook-Id, else the body's digest).

A redelivered webhook is the same order in the same state, hence the same message id
(`domain.orders.order_message_id`), which the idempotent consumers skip: no delivery-id record
is kept here (see `tests/integration/ingest/test_webhooks.py` for the proof end to end).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.ingest.domain.channels import shopify, shopify_privacy, woocommerce
from services.ingest.domain.orders import shop_name
from services.ingest.entrypoints.dependencies import IntakeDep, SettingsDep
from services.ingest.entrypoints.requests import json_body, not_handled, parse_json, unauthorized
from services.ingest.entrypoints.signatures import signed_by
from services.ingest.use_cases.intake import Accepted
from shared.http_limits import FORM, OCTET_STREAM, problem_responses

OptionalHeader = Annotated[str | None, Header()]
SHOPIFY_TOPICS = shopify.ORDER_TOPICS | shopify_privacy.PRIVACY_TOPICS

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post(
    "/shopify",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 503),
    openapi_extra=json_body("The webhook's payload as Shopify sends it (signed)."),
)
async def shopify_webhook(
    request: Request,
    intake: IntakeDep,
    settings: SettingsDep,
    x_shopify_topic: OptionalHeader = None,
    x_shopify_shop_domain: OptionalHeader = None,
    x_shopify_webhook_id: OptionalHeader = None,
    x_shopify_event_id: OptionalHeader = None,
    x_shopify_hmac_sha256: OptionalHeader = None,
) -> Accepted:
    body = await request.body()
    shop = shop_name(x_shopify_shop_domain)
    if shop is None or not signed_by(shop, x_shopify_hmac_sha256, body, settings.shopify_secrets):
        raise unauthorized("X-Shopify-Hmac-Sha256 is missing or not this shop's signature")
    topic = x_shopify_topic or ""
    if topic not in SHOPIFY_TOPICS:
        raise not_handled("X-Shopify-Topic", x_shopify_topic, SHOPIFY_TOPICS)
    return await intake.shopify_webhook(
        topic,
        parse_json(body),
        shop=shop,
        delivery=x_shopify_event_id or x_shopify_webhook_id or _digest(body),
        correlation_id=_delivery(x_shopify_webhook_id),
    )


class Pong(BaseModel):
    status: str = "pong"


@router.post(
    "/woocommerce",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses={
        200: {"model": Pong, "description": "WooCommerce's ping of a new webhook"},
        **problem_responses(401, 503),
    },
    openapi_extra=json_body(
        "The webhook's payload as WooCommerce sends it (signed); a new webhook's ping is "
        "`webhook_id=<n>`, form-encoded or without a Content-Type.",
        also=(FORM, OCTET_STREAM),
    ),
)
async def woocommerce_webhook(
    request: Request,
    intake: IntakeDep,
    settings: SettingsDep,
    x_wc_webhook_topic: OptionalHeader = None,
    x_wc_webhook_source: OptionalHeader = None,
    x_wc_webhook_delivery_id: OptionalHeader = None,
    x_wc_webhook_signature: OptionalHeader = None,
) -> Accepted | JSONResponse:
    body = await request.body()
    if _is_ping(body, x_wc_webhook_topic):
        # WooCommerce saves a webhook only if its unsigned ping gets a 200; it carries no
        # order and nothing is published.
        return JSONResponse(Pong().model_dump(), status_code=status.HTTP_200_OK)
    shop = woocommerce.shop_of_source(x_wc_webhook_source or "")
    if shop is None or not signed_by(
        shop, x_wc_webhook_signature, body, settings.woocommerce_secrets
    ):
        raise unauthorized("X-WC-Webhook-Signature is missing or not this site's signature")
    if x_wc_webhook_topic not in woocommerce.ORDER_TOPICS:
        raise not_handled("X-WC-Webhook-Topic", x_wc_webhook_topic, woocommerce.ORDER_TOPICS)
    return await intake.woocommerce_webhook(
        parse_json(body),
        shop=shop,
        consent_meta=settings.woocommerce_consent_meta,
        extra_statuses=settings.woocommerce_statuses,
        correlation_id=_delivery(x_wc_webhook_delivery_id),
    )


def _delivery(delivery_id: str | None) -> str | None:
    """The channel's delivery id as a correlation id (which allows at most 100 characters)."""
    if delivery_id is None:
        return None
    return delivery_id.strip()[:100] or None


def _digest(body: bytes) -> str:
    """Names a delivery that came without Shopify's ids: the same body is the same request."""
    return hashlib.sha256(body).hexdigest()


def _is_ping(body: bytes, topic: str | None) -> bool:
    name, _, value = body.partition(b"=")
    return topic is None and name == b"webhook_id" and value.isdigit()

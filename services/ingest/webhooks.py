"""Webhook entry points of the shops that push their orders: Shopify and WooCommerce.

Order of checks: the signature first (a request we cannot attribute to a shop learns nothing
else), then the topic, then the payload. Nothing is published unless all three pass; a 2xx
means RabbitMQ confirmed the command. The channel's delivery id becomes the command's
correlation id, so a customer's timeline leads back to the delivery.

Shopify's mandatory privacy webhooks (customers/data_request, customers/redact, shop/redact)
arrive at the same URL with the same signature and become GDPR commands
(`channels.shopify_privacy`); a redaction is named by X-Shopify-Event-Id, which Shopify keeps on
every retry of one event (else X-Shopify-Webhook-Id, else the body's digest).

A redelivered webhook is the same order in the same state, hence the same message id
(`commands.order_message_id`), which the idempotent consumers skip: no delivery-id record is
kept here (see `tests/integration/ingest/test_webhooks.py` for the proof end to end).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse

from services.ingest.channels import shopify, shopify_privacy, woocommerce
from services.ingest.payloads import mapped, not_handled, parse_json, read_body, unauthorized
from services.ingest.publishing import Accepted, Intake
from services.ingest.settings import IngestSettings
from services.ingest.signatures import signed_by

OptionalHeader = Annotated[str | None, Header()]
SHOPIFY_TOPICS = shopify.ORDER_TOPICS | shopify_privacy.PRIVACY_TOPICS


def webhooks_router(intake: Intake, settings: IngestSettings) -> APIRouter:
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])
    limit = settings.max_order_bytes

    @router.post("/shopify", status_code=status.HTTP_202_ACCEPTED)
    async def shopify_order(
        request: Request,
        x_shopify_topic: OptionalHeader = None,
        x_shopify_shop_domain: OptionalHeader = None,
        x_shopify_webhook_id: OptionalHeader = None,
        x_shopify_event_id: OptionalHeader = None,
        x_shopify_hmac_sha256: OptionalHeader = None,
    ) -> Accepted:
        body = await read_body(request, limit)
        shop = (x_shopify_shop_domain or "").strip().lower()
        if not signed_by(shop, x_shopify_hmac_sha256, body, settings.shopify_secrets):
            raise unauthorized("X-Shopify-Hmac-Sha256 is missing or not this shop's signature")
        topic = x_shopify_topic or ""
        if topic in shopify_privacy.PRIVACY_TOPICS:
            payload = parse_json(body)
            command = mapped(
                lambda: shopify_privacy.privacy_command(
                    topic,
                    payload,
                    shop=shop,
                    delivery=x_shopify_event_id or x_shopify_webhook_id or _digest(body),
                    correlation_id=_delivery(x_shopify_webhook_id),
                ),
                f"Shopify {topic} request",
            )
            return await intake.publish(command, what=f"Shopify {topic} of {shop}")
        if topic not in shopify.ORDER_TOPICS:
            raise not_handled("X-Shopify-Topic", x_shopify_topic, SHOPIFY_TOPICS)
        payload = parse_json(body)
        order = mapped(lambda: shopify.order_from_webhook(payload, shop=shop), "Shopify order")
        return await intake.accept(order, correlation_id=_delivery(x_shopify_webhook_id))

    @router.post("/woocommerce", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
    async def woocommerce_order(
        request: Request,
        x_wc_webhook_topic: OptionalHeader = None,
        x_wc_webhook_source: OptionalHeader = None,
        x_wc_webhook_delivery_id: OptionalHeader = None,
        x_wc_webhook_signature: OptionalHeader = None,
    ) -> Accepted | JSONResponse:
        body = await read_body(request, limit)
        if _is_ping(body, x_wc_webhook_topic):
            # WooCommerce saves a webhook only if its unsigned ping gets a 200; it carries no
            # order and nothing is published.
            return JSONResponse({"status": "pong"}, status_code=status.HTTP_200_OK)
        shop = woocommerce.shop_of_source(x_wc_webhook_source or "")
        if not signed_by(shop, x_wc_webhook_signature, body, settings.woocommerce_secrets):
            raise unauthorized("X-WC-Webhook-Signature is missing or not this site's signature")
        if x_wc_webhook_topic not in woocommerce.ORDER_TOPICS:
            raise not_handled("X-WC-Webhook-Topic", x_wc_webhook_topic, woocommerce.ORDER_TOPICS)
        payload = parse_json(body)
        order = mapped(
            lambda: woocommerce.order_from_webhook(
                payload,
                shop=shop,
                consent_meta=settings.woocommerce_consent_meta,
                extra_statuses=settings.woocommerce_statuses,
            ),
            "WooCommerce order",
        )
        return await intake.accept(order, correlation_id=_delivery(x_wc_webhook_delivery_id))

    return router


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

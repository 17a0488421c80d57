"""Helpers of the ingest integration tests: signed deliveries, integration keys, settings in the
environment."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.ingest.entrypoints.signatures import body_signature
from tests.support.orders import INTEGRATION

SHOPIFY_SHOP = "demo-store.myshopify.com"
SHOPIFY_SECRET = "shpss_test_0123456789abcdef"
WOO_SITE = "https://siop.example.co.uk/"
WOO_SECRET = "wc-secret-test-0123456789"
AMAZON_KEY = "amazon-integration-key-0123456789"
EBAY_KEY = "ebay-integration-key-0123456789ab"
ADOBE_KEY = "adobe-integration-key-0123456789a"
AMAZON_DE = "A1PA6795UKMFR9"
# Integrations that post canonical orders of other shops than the tests' default one.
CANONICAL_KEYS = {
    ("woocommerce", "siop.example.co.uk"): "woo-canonical-key-0123456789abcdef",
    ("shopify", "outlet.myshopify.com"): "outlet-canonical-key-0123456789abcd",
}


def key_of(channel: str, shop: str) -> str:
    """The key of the integration that posts canonical orders of `shop` of `channel`."""
    if (channel, shop) == (INTEGRATION["channel"], INTEGRATION["shop"]):
        return INTEGRATION["api_key"]
    return CANONICAL_KEYS[(channel, shop)]


def configure_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_SHOPIFY_SECRETS", json.dumps({SHOPIFY_SHOP: SHOPIFY_SECRET}))
    monkeypatch.setenv("INGEST_WOOCOMMERCE_SECRETS", json.dumps({WOO_SITE: WOO_SECRET}))
    monkeypatch.setenv(
        "INGEST_INTEGRATIONS",
        json.dumps(
            [
                INTEGRATION,
                {
                    "channel": "amazon",
                    "shop": "seller-eu",
                    "marketplaces": [AMAZON_DE, "A13V1IB3VIYZZH"],
                    "api_key": AMAZON_KEY,
                },
                {"channel": "ebay", "shop": "vintage_finds_uk", "api_key": EBAY_KEY},
                {"channel": "adobe_commerce", "shop": "shop.example.ch", "api_key": ADOBE_KEY},
                *(
                    {"channel": channel, "shop": shop, "api_key": key}
                    for (channel, shop), key in CANONICAL_KEYS.items()
                ),
            ]
        ),
    )


def shopify_delivery(
    body: bytes,
    *,
    topic: str = "orders/create",
    shop: str = SHOPIFY_SHOP,
    secret: str = SHOPIFY_SECRET,
    webhook_id: str = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
) -> dict[str, Any]:
    return {
        "content": body,
        "headers": {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Triggered-At": "2026-03-14T08:41:10.123Z",
            "X-Shopify-API-Version": "2025-07",
            "X-Shopify-Hmac-Sha256": body_signature(secret.encode(), body),
        },
    }


def woocommerce_delivery(
    body: bytes, *, topic: str = "order.created", secret: str = WOO_SECRET
) -> dict[str, Any]:
    resource, _, event = topic.partition(".")
    return {
        "content": body,
        "headers": {
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": WOO_SITE,
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-ID": "12",
            "X-WC-Webhook-Delivery-ID": "2f9a6c0e8b1d4e7fa3c5b9d2e4f6a8c0",
            "X-WC-Webhook-Signature": body_signature(secret.encode(), body),
        },
    }

"""Hooks of the schemathesis run against ingest (`tests.fuzz.ingest`): valid canonical orders
are made the integration's own (its channel and shop), and valid webhook bodies are signed with
their shop's secret, so that generated orders reach the channel adapters instead of all ending
as 403/401. Only valid (positive) cases are changed: an invalid one must stay invalid."""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from services.ingest.entrypoints.signatures import body_signature

# Imported for its check, which it registers (`tests.fuzz.checks`).
from tests.fuzz import checks  # noqa: F401
from tests.integration.ingest.channels import (
    SHOPIFY_SECRET,
    SHOPIFY_SHOP,
    WOO_SECRET,
    WOO_SITE,
)
from tests.support.orders import INTEGRATION


def _positive(case: schemathesis.Case[Any]) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


@schemathesis.hook
def map_case(context: Any, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    if not _positive(case) or not isinstance(case.body, dict):
        return case
    path = case.operation.path
    headers = case.headers if case.headers is not None else {}
    if path == "/v1/orders":
        case.body["channel"], case.body["shop"] = INTEGRATION["channel"], INTEGRATION["shop"]
    elif path == "/webhooks/shopify":
        headers["X-Shopify-Shop-Domain"] = SHOPIFY_SHOP
        headers["X-Shopify-Hmac-Sha256"] = _signature(SHOPIFY_SECRET, case.body)
    elif path == "/webhooks/woocommerce":
        headers["X-WC-Webhook-Source"] = WOO_SITE
        headers["X-WC-Webhook-Signature"] = _signature(WOO_SECRET, case.body)
    case.headers = headers
    return case


def _signature(secret: str, body: dict[str, Any]) -> str:
    """The shop's signature of the body as the client will send it (`json.dumps`' bytes)."""
    return body_signature(secret.encode(), json.dumps(body).encode())

"""Who sent a request: webhook signatures and integration API keys, compared in constant time.

Shopify and WooCommerce both sign the raw body: base64 of HMAC-SHA256 keyed with the shop's
secret. A request from a shop without a secret is still hashed (with a throwaway key), so the
time of a refusal does not tell which shops are configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from typing import TypeVar

from pydantic import SecretStr

T = TypeVar("T")
_UNKNOWN_SHOP_KEY = secrets.token_bytes(32)


def body_signature(secret: bytes, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")


def signed_by(
    shop: str | None, signature: str | None, body: bytes, secrets_by_shop: Mapping[str, SecretStr]
) -> bool:
    """True when `signature` is the shop's signature of `body`."""
    secret = secrets_by_shop.get(shop) if shop else None
    key = secret.get_secret_value().encode() if secret else _UNKNOWN_SHOP_KEY
    expected = body_signature(key, body).encode("ascii")
    given = (signature or "").strip().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given) and secret is not None


def holder_of(key: str | None, candidates: Iterable[tuple[SecretStr, T]]) -> T | None:
    """The candidate whose key is `key`; every key is compared, so timing tells nothing."""
    given = (key or "").encode("utf-8", "replace")
    found = None
    for secret, holder in candidates:
        if hmac.compare_digest(secret.get_secret_value().encode(), given) and key:
            found = holder
    return found

"""Webhook signatures and integration keys."""

from __future__ import annotations

import base64
import hashlib
import hmac

from pydantic import SecretStr

from services.ingest.entrypoints.signatures import body_signature, holder_of, signed_by

SECRETS = {"a.myshopify.com": SecretStr("shpss_a"), "b.myshopify.com": SecretStr("shpss_b")}
BODY = b'{"id": 1, "name": "Zo\xc3\xab"}'


def test_the_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    expected = base64.b64encode(hmac.new(b"shpss_a", BODY, hashlib.sha256).digest()).decode()
    assert body_signature(b"shpss_a", BODY) == expected


def test_only_the_shops_own_signature_of_these_exact_bytes_passes() -> None:
    good = body_signature(b"shpss_a", BODY)
    assert signed_by("a.myshopify.com", good, BODY, SECRETS)
    assert not signed_by("b.myshopify.com", good, BODY, SECRETS)
    assert not signed_by("a.myshopify.com", good, BODY + b" ", SECRETS)
    assert not signed_by("a.myshopify.com", None, BODY, SECRETS)
    assert not signed_by("a.myshopify.com", "", BODY, SECRETS)
    assert not signed_by("a.myshopify.com", "ünïcode", BODY, SECRETS)
    assert not signed_by("unknown.myshopify.com", good, BODY, SECRETS)
    assert not signed_by(None, good, BODY, SECRETS)


def test_an_api_key_finds_its_holder() -> None:
    keys = [(SecretStr("k" * 30), "amazon-eu"), (SecretStr("m" * 30), "amazon-us")]
    assert holder_of("m" * 30, keys) == "amazon-us"
    assert holder_of("m" * 29, keys) is None
    assert holder_of("", keys) is None
    assert holder_of(None, keys) is None

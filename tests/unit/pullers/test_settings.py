"""Integrations are configured from the environment and refused when they cannot work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from services.pullers.settings import AdobeCommerceSettings, AmazonSettings, PullersSettings

AMAZON: dict[str, Any] = {
    "name": "amazon-eu",
    "channel": "amazon",
    "shop": "A1PA6795UKMFR9",
    "ingest_key": "amazon-integration-key-0123456789",
    "marketplace_ids": ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"],
    "client_id": "amzn1.application-oa2-client.0123",
    "client_secret": "amzn1.oa2-cs.v1.secret",
    "refresh_token": "Atzr|refresh",
}


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db:27017/")
    monkeypatch.delenv("PULLERS_INTEGRATIONS", raising=False)
    monkeypatch.delenv("SUITE_ENVIRONMENT", raising=False)


def test_integrations_come_from_the_environment_with_the_channels_own_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps([AMAZON]))
    [amazon] = PullersSettings().integrations
    assert isinstance(amazon, AmazonSettings)
    assert amazon.api_url == "https://sellingpartnerapi-eu.amazon.com"
    assert amazon.token_url == "https://api.amazon.com/auth/o2/token"
    assert "Atzr|refresh" not in repr(amazon)


def test_production_refuses_development_channel_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUITE_ENVIRONMENT", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://suite:s3cret@rabbitmq:5672/")
    monkeypatch.setenv(
        "PULLERS_INTEGRATIONS", json.dumps([AMAZON | {"refresh_token": "dev-only-token"}])
    )
    with pytest.raises(ValidationError, match="development channel secrets"):
        PullersSettings()
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps([AMAZON]))
    assert PullersSettings().integrations


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"marketplace_ids": []}, "marketplace_ids"),
        ({"ingest_key": "short"}, "ingest_key"),
        ({"api_url": "ftp://example.com"}, "api_url"),
        ({"channel": "etsy"}, "channel"),
    ],
)
def test_an_integration_that_cannot_work_is_refused_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, Any], message: str
) -> None:
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps([AMAZON | change]))
    with pytest.raises(ValidationError, match=message):
        PullersSettings()


def test_names_are_unique_and_adobe_commerce_needs_one_way_to_sign_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps([AMAZON, AMAZON]))
    with pytest.raises(ValidationError, match="unique"):
        PullersSettings()
    adobe = {
        "name": "shop-ch",
        "channel": "adobe_commerce",
        "shop": "shop.example.ch",
        "ingest_key": "adobe-integration-key-0123456789a",
        "api_url": "https://shop.example.ch/rest/default",
    }
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps([adobe]))
    with pytest.raises(ValidationError, match="access_token"):
        PullersSettings()
    admin = adobe | {"username": "puller", "password": "secret"}
    monkeypatch.setenv("PULLERS_INTEGRATIONS", json.dumps([admin]))
    [found] = PullersSettings().integrations
    assert isinstance(found, AdobeCommerceSettings)
    assert (
        found.admin_token_url == "https://shop.example.ch/rest/default/V1/integration/admin/token"
    )

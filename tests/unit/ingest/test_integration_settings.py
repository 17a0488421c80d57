"""Integrations as configured: an Amazon one lists its marketplaces, only it does, and the
development key that `make run` gives the demo shop is refused outside development."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest
from pydantic import ValidationError

from services.ingest.settings import IngestSettings
from tools.run_local import DEV_INTEGRATIONS

AMAZON = {"channel": "amazon", "shop": "seller-eu", "api_key": "amazon-key-0123456789abcdef"}


def settings(monkeypatch: pytest.MonkeyPatch, integrations: Sequence[Mapping[str, object]]) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:1")
    monkeypatch.setenv("INGEST_INTEGRATIONS", json.dumps(integrations))
    IngestSettings()


def test_an_amazon_integration_lists_its_marketplaces(monkeypatch: pytest.MonkeyPatch) -> None:
    settings(monkeypatch, [{**AMAZON, "marketplaces": ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]}])
    with pytest.raises(ValidationError, match="lists its marketplaces"):
        settings(monkeypatch, [AMAZON])
    with pytest.raises(ValidationError, match="should match pattern"):
        settings(monkeypatch, [{**AMAZON, "marketplaces": ["amazon.de"]}])
    own_store = {"channel": "own_store", "shop": "berlin", "api_key": "own-store-key-0123456789ab"}
    settings(monkeypatch, [own_store])
    with pytest.raises(ValidationError, match="only an Amazon integration"):
        settings(monkeypatch, [{**own_store, "marketplaces": ["A1PA6795UKMFR9"]}])


def test_the_make_run_integration_key_is_refused_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings(monkeypatch, DEV_INTEGRATIONS)
    monkeypatch.setenv("SUITE_ENVIRONMENT", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://suite:real-password@rabbitmq:5672/")
    monkeypatch.setenv("MONGODB_URL", "mongodb://suite:real-password@mongodb:27017/")
    monkeypatch.setenv("INGEST_IMPORT_TOKEN", "a-real-import-token-0123456789")
    real = [{**DEV_INTEGRATIONS[0], "api_key": "a-real-integration-key-0123456789"}]
    monkeypatch.setenv("INGEST_INTEGRATIONS", json.dumps(real))
    IngestSettings()
    monkeypatch.setenv("INGEST_INTEGRATIONS", json.dumps(DEV_INTEGRATIONS))
    with pytest.raises(ValidationError, match="development"):
        IngestSettings()

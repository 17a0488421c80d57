from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.customer.settings import CustomerSettings

BASE = {"MONGODB_URL": "mongodb://db.internal:27017", "AMQP_URL": "amqp://crm:s3cret@mq.internal/"}


def test_the_development_bank_data_key_is_refused_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in (BASE | {"SUITE_ENVIRONMENT": "production"}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CUSTOMER_BANK_DATA_KEY", raising=False)
    with pytest.raises(ValidationError, match="bank_data_key"):
        CustomerSettings()
    monkeypatch.setenv("CUSTOMER_BANK_DATA_KEY", "a-real-key-from-the-secret-store")
    assert CustomerSettings().bank_data_key.get_secret_value().startswith("a-real")


def test_a_short_bank_data_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in BASE.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CUSTOMER_BANK_DATA_KEY", "short")
    with pytest.raises(ValidationError, match="bank_data_key"):
        CustomerSettings()

"""Settings: read from the environment, strict, and no development secret in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.customer.settings import CustomerSettings
from services.gateway.settings import GatewaySettings
from services.tasks.settings import TasksSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (
        "SUITE_ENVIRONMENT",
        "AMQP_URL",
        "MONGODB_URL",
        "BROKER_NAMESPACE",
        "CUSTOMER_DATABASE",
        "CUSTOMER_PORT",
        "GATEWAY_PORT",
        "GATEWAY_INGEST_TOKEN",
        "GATEWAY_BOOTSTRAP_API_KEY",
        "GATEWAY_RATE_LIMIT",
        "GATEWAY_MAX_REQUESTS_IN_FLIGHT",
        "TASKS_DIRECTORY_BATCH_SIZE",
        "TASKS_DIRECTORY_BATCH_WAIT_MS",
        "TASKS_DIRECTORY_BATCHES_AT_ONCE",
    ):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def gateway_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway keeps its access data (keys, roles, access log) in a database of its own."""
    monkeypatch.setenv("MONGODB_URL", "mongodb://db:27017/")


@pytest.mark.usefixtures("gateway_database")
def test_defaults_fit_a_development_machine() -> None:
    settings = GatewaySettings()
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"
    assert settings.amqp_url.get_secret_value() == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.broker_namespace == "crm"


def test_service_fields_have_the_service_prefix_and_infrastructure_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db:27017/")
    monkeypatch.setenv("CUSTOMER_DATABASE", "customers_eu")
    monkeypatch.setenv("CUSTOMER_PORT", "9102")
    monkeypatch.setenv("GATEWAY_PORT", "9100")
    settings = CustomerSettings()
    assert settings.database == "customers_eu"
    assert settings.port == 9102
    assert settings.mongodb_url.get_secret_value() == "mongodb://db:27017/"


def test_a_database_service_does_not_start_without_a_database() -> None:
    with pytest.raises(ValidationError, match="MONGODB_URL"):
        CustomerSettings()


@pytest.mark.usefixtures("gateway_database")
def test_production_refuses_the_development_broker_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUITE_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="development secrets in: amqp_url"):
        GatewaySettings()
    monkeypatch.setenv("AMQP_URL", "amqp://suite:s3cret-from-vault@rabbitmq:5672/")
    with pytest.raises(ValidationError, match="development secrets in: ingest_token"):
        GatewaySettings()
    monkeypatch.setenv("GATEWAY_INGEST_TOKEN", "a-real-token-from-the-vault-0123456789")
    assert GatewaySettings().environment == "production"


@pytest.mark.usefixtures("gateway_database")
def test_production_refuses_the_development_bootstrap_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUITE_ENVIRONMENT", "production")
    monkeypatch.setenv("AMQP_URL", "amqp://suite:s3cret-from-vault@rabbitmq:5672/")
    monkeypatch.setenv("GATEWAY_INGEST_TOKEN", "a-real-token-from-the-vault-0123456789")
    monkeypatch.setenv("GATEWAY_BOOTSTRAP_API_KEY", "dev-only-bootstrap-admin-key-for-make-run")
    with pytest.raises(ValidationError, match="development secrets in: bootstrap_api_key"):
        GatewaySettings()
    monkeypatch.setenv("GATEWAY_BOOTSTRAP_API_KEY", "short")
    with pytest.raises(ValidationError, match="bootstrap_api_key"):
        GatewaySettings()
    # Unset (or empty, as compose passes an unset variable): no bootstrap key at all.
    monkeypatch.setenv("GATEWAY_BOOTSTRAP_API_KEY", "")
    assert GatewaySettings().bootstrap_api_key is None


@pytest.mark.usefixtures("gateway_database")
def test_the_cap_on_requests_in_flight_takes_at_least_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert GatewaySettings().max_requests_in_flight == 128
    monkeypatch.setenv("GATEWAY_MAX_REQUESTS_IN_FLIGHT", "0")
    with pytest.raises(ValidationError, match="max_requests_in_flight"):
        GatewaySettings()


@pytest.mark.usefixtures("gateway_database")
def test_the_tasks_directory_batches_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    def batches() -> tuple[int, int, int]:
        s = TasksSettings()
        return s.directory_batch_size, s.directory_batch_wait_ms, s.directory_batches_at_once

    assert batches() == (16, 20, 2)
    monkeypatch.setenv("TASKS_DIRECTORY_BATCH_SIZE", "1")
    monkeypatch.setenv("TASKS_DIRECTORY_BATCH_WAIT_MS", "5")
    monkeypatch.setenv("TASKS_DIRECTORY_BATCHES_AT_ONCE", "3")
    assert batches() == (1, 5, 3)
    monkeypatch.setenv("TASKS_DIRECTORY_BATCH_SIZE", "0")
    with pytest.raises(ValidationError, match="directory_batch_size"):
        TasksSettings()


@pytest.mark.usefixtures("gateway_database")
def test_the_rate_limit_is_a_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    assert GatewaySettings().rate_limit == "1200/minute"
    monkeypatch.setenv("GATEWAY_RATE_LIMIT", "lots")
    with pytest.raises(ValidationError, match="rate_limit"):
        GatewaySettings()


def test_bearer_tokens_need_issuer_audience_and_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db:27017/")
    monkeypatch.setenv("GATEWAY_JWT_ISSUER", "https://id.example.com/")
    with pytest.raises(ValidationError, match="GATEWAY_JWT_AUDIENCE"):
        GatewaySettings()


@pytest.mark.usefixtures("gateway_database")
def test_bad_values_are_refused_with_the_setting_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER_NAMESPACE", "Not Valid!")
    with pytest.raises(ValidationError, match="BROKER_NAMESPACE"):
        GatewaySettings()


@pytest.mark.usefixtures("gateway_database")
def test_secrets_do_not_show_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMQP_URL", "amqp://suite:hunter2@rabbitmq:5672/")
    assert "hunter2" not in repr(GatewaySettings())

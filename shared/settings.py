"""Settings every service shares: where the broker and the database are, which environment runs.

Infrastructure addresses are suite-wide (`AMQP_URL`, `MONGODB_URL`, ...) because one deployment
points all services at the same broker; everything a single service owns is read under that
service's own prefix (`CUSTOMER_DATABASE`, `GATEWAY_PORT`, ...), declared by its subclass.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.topology import DEFAULT_RETRY_DELAY_MS

DEV_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
# Secrets that ship in the repository for local runs start with this marker, so that a
# deployment which forgot to set a real one is refused at start-up instead of running with it.
DEV_SECRET_MARKER = "dev-only-"  # noqa: S105 - a marker, not a password


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Base of every service's settings; a subclass sets `env_prefix` and adds its own fields."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Environment = Field(
        Environment.DEVELOPMENT, validation_alias=AliasChoices("SUITE_ENVIRONMENT")
    )
    amqp_url: SecretStr = Field(SecretStr(DEV_AMQP_URL), validation_alias=AliasChoices("AMQP_URL"))
    # Prefix of every exchange and queue name: separate suites (or test runs) can share one broker.
    broker_namespace: str = Field(
        "crm", pattern=r"^[a-z][a-z0-9-]{0,30}$", validation_alias=AliasChoices("BROKER_NAMESPACE")
    )
    # How long a message that failed for a passing reason waits before it is tried again.
    broker_retry_delay_ms: int = Field(
        DEFAULT_RETRY_DELAY_MS,
        ge=10,
        le=600_000,
        validation_alias=AliasChoices("BROKER_RETRY_DELAY_MS"),
    )
    otlp_endpoint: str | None = Field(
        None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    # Readable lines for a terminal (`make run`), or one JSON object per line for a collector.
    log_format: Literal["console", "json"] = Field(
        "console", validation_alias=AliasChoices("LOG_FORMAT")
    )
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    # How long a stopping service lets in-flight messages finish before they go back to the queue.
    graceful_timeout_s: float = Field(3.0, gt=0, le=60)
    prefetch: int = Field(16, ge=1, le=1000)

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        if self.environment in (Environment.DEVELOPMENT, Environment.TEST):
            return self
        offending = [
            name
            for name, value in self
            if isinstance(value, SecretStr) and _is_development_secret(name, value)
        ]
        if offending:
            raise ValueError(
                f"refusing to start in {self.environment.value} with development secrets in: "
                + ", ".join(sorted(offending))
            )
        return self


class DatabaseSettings(ServiceSettings):
    """A service that owns a MongoDB database."""

    # Required: a service never guesses a database. `make run` and the tests start an embedded
    # server and set MONGODB_URL when none is given.
    mongodb_url: SecretStr = Field(validation_alias=AliasChoices("MONGODB_URL"))
    database: str = Field(pattern=r"^[A-Za-z0-9_-]{1,60}$")


def _is_development_secret(name: str, value: SecretStr) -> bool:
    secret = value.get_secret_value()
    if secret.startswith(DEV_SECRET_MARKER):
        return True
    if name in ("amqp_url", "mongodb_url"):
        parts = urlsplit(secret)
        return parts.username == "guest" and parts.password == "guest"  # noqa: S105
    return False

"""Settings of the customer service (env prefix CUSTOMER_, infrastructure unprefixed)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings


class CustomerSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTOMER_", extra="ignore", frozen=True)

    port: int = Field(8002, ge=1, le=65535)
    database: str = Field("customer", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    # Region assumed for phone numbers written without a country code (ISO 3166 alpha-2).
    default_region: str = Field("DE", pattern=r"^[A-Z]{2}$")
    # Encrypts IBANs at rest. The development default is refused outside development and test
    # (see shared.settings): a deployment must set its own.
    bank_data_key: SecretStr = Field(SecretStr("dev-only-bank-data-key-change-me"), min_length=16)
    # Orders processed together in one transaction: at most this many, collected for at most
    # this long (see shared.batching). A size of 1 processes every order alone.
    order_batch_size: int = Field(16, ge=1, le=500)
    order_batch_wait_ms: int = Field(20, ge=0, le=5_000)
    # Batches processed side by side by one process (the work queue's prefetch follows).
    order_batches_at_once: int = Field(4, ge=1, le=32)
    # Consent changes joining timelines, batched the same way (about one per order).
    consent_change_batch_size: int = Field(16, ge=1, le=500)
    consent_change_batch_wait_ms: int = Field(20, ge=0, le=5_000)
    consent_change_batches_at_once: int = Field(2, ge=1, le=32)

"""Settings of the consent service (env prefix CONSENT_, infrastructure unprefixed)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings

# Development defaults carry the `dev-only-` marker: refused outside development and test.
_DEV_PSEUDONYM_KEY = "dev-only-consent-pseudonym-key"
_DEV_TOKEN_SECRET = "dev-only-consent-token-secret"  # noqa: S105
_DEV_MAILER_SECRET = "dev-only-consent-mailer-secret"  # noqa: S105


class ConsentSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENT_", extra="ignore", frozen=True)

    port: int = Field(8003, ge=1, le=65535)
    database: str = Field("consent", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    # Key of the pseudonyms that replace an erased person's address in the ledger. It must stay
    # the same for the life of the data: with another key, old pseudonyms can no longer be
    # matched to an address a person names.
    pseudonym_key: SecretStr = SecretStr(_DEV_PSEUDONYM_KEY)
    # Key of the hashes under which double opt-in tokens are stored.
    token_secret: SecretStr = SecretStr(_DEV_TOKEN_SECRET)
    # Shared with the mailer: seals the confirmation link inside DoubleOptInRequested.
    mailer_secret: SecretStr = SecretStr(_DEV_MAILER_SECRET)
    # The public gateway endpoint the confirmation link points to.
    confirm_url: str = Field(
        "http://127.0.0.1:8000/v1/consents/confirm", pattern=r"^https?://", max_length=500
    )
    double_opt_in_ttl_s: int = Field(48 * 3600, ge=1, le=30 * 24 * 3600)
    # Decisions from messages recorded together in one transaction: at most this many, collected
    # for at most this long (see shared.batching). A size of 1 records every decision alone.
    # Customer news for the directory is kept in batches of the same size and wait.
    decision_batch_size: int = Field(16, ge=1, le=500)
    decision_batch_wait_ms: int = Field(20, ge=0, le=5_000)
    # Batches recorded side by side by one process (the inbox queue's prefetch follows).
    decision_batches_at_once: int = Field(4, ge=1, le=32)

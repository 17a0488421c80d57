"""Settings of the mailer (env prefix MAILER_; the SMTP server as SMTP_*, infrastructure
unprefixed). `make run` starts a local SMTP sink and points SMTP_HOST/SMTP_PORT at it unless
SMTP_HOST is set."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings

# The consent service's development default: both sides must hold the same secret.
_DEV_CONSENT_SECRET = "dev-only-consent-mailer-secret"  # noqa: S105 - refused in production


class MailerSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAILER_", extra="ignore", frozen=True)

    port: int = Field(8006, ge=1, le=65535)
    database: str = Field("mailer", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    smtp_host: str = Field("127.0.0.1", min_length=1, validation_alias=AliasChoices("SMTP_HOST"))
    smtp_port: int = Field(1025, ge=1, le=65535, validation_alias=AliasChoices("SMTP_PORT"))
    # none: plain (a local sink, Mailpit); starttls: upgrade on 587; tls: implicit TLS on 465.
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        "none", validation_alias=AliasChoices("SMTP_SECURITY")
    )
    smtp_username: str | None = Field(None, validation_alias=AliasChoices("SMTP_USERNAME"))
    smtp_password: SecretStr | None = Field(None, validation_alias=AliasChoices("SMTP_PASSWORD"))
    smtp_timeout_s: float = Field(30, gt=0, le=300, validation_alias=AliasChoices("SMTP_TIMEOUT_S"))
    # Tries of one mail within one delivery of its event, with back-off; then the event goes
    # to the retry queue and comes back after BROKER_RETRY_DELAY_MS.
    smtp_attempts: int = Field(3, ge=1, le=10)
    smtp_backoff_s: float = Field(1.0, gt=0, le=60)
    sender: str = "Customer Suite <no-reply@localhost>"
    # Opens the confirmation link the consent service sealed (its CONSENT_MAILER_SECRET).
    consent_secret: SecretStr = Field(
        SecretStr(_DEV_CONSENT_SECRET),
        validation_alias=AliasChoices("MAILER_CONSENT_SECRET", "CONSENT_MAILER_SECRET"),
    )
    # The language of a mail to someone whose language the suite does not know.
    default_language: str = Field("en", pattern=r"^[a-z]{2,3}$")
    rpc_timeout_s: float = Field(5, gt=0, le=60)

    @field_validator("sender")
    @classmethod
    def _an_address(cls, sender: str) -> str:
        if "@" not in parseaddr(sender)[1]:
            raise ValueError("must be an address, e.g. 'Shop <no-reply@shop.example>'")
        return sender

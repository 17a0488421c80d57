"""Settings of the order pullers (env prefix PULLERS_, infrastructure unprefixed).

Integrations are a JSON list in `PULLERS_INTEGRATIONS`, one object per seller account, e.g.
`[{"name": "amazon-eu", "channel": "amazon", "shop": "A1PA6795UKMFR9", "ingest_key": "...",
"marketplace_ids": ["A1PA6795UKMFR9"], "client_id": "...", "client_secret": "...",
"refresh_token": "..."}]`. Credentials come from the environment (or a secret store that fills
it), never from the repository. `ingest_key` is the integration's `api_key` in ingest's
`INGEST_INTEGRATIONS`: ingest decides the shop by it.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.contracts.integrations import IntegrationName, PulledChannel
from shared.settings import DEV_SECRET_MARKER, DatabaseSettings, Environment

Url = Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=500)]


class IntegrationSettings(BaseModel):
    """What every integration has: its name, shop, key at ingest, and how it is polled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: IntegrationName
    channel: PulledChannel
    shop: str = Field(min_length=1, max_length=200)
    ingest_key: SecretStr = Field(min_length=24)
    poll_interval_s: float = Field(300, ge=1, le=86_400)
    # Each pull reads this far back behind the watermark again: orders a channel makes visible
    # late (replication, a slow commit) are still found; re-read orders are the same message.
    overlap_s: float = Field(600, ge=1, le=7 * 86_400)
    # The first pull of a new integration starts this long ago.
    initial_lookback_days: int = Field(7, ge=0, le=90)
    # One window is at most this long, so a pull that fails half-way keeps what it finished.
    max_window_s: float = Field(86_400, ge=60, le=30 * 86_400)
    page_size: int = Field(100, ge=1, le=200)

    def secrets(self) -> list[SecretStr]:
        return [v for _, v in self if isinstance(v, SecretStr)]


class AmazonSettings(IntegrationSettings):
    channel: Literal["amazon"]
    marketplace_ids: tuple[Annotated[str, Field(pattern=r"^[A-Z0-9]{5,20}$")], ...] = Field(
        min_length=1, max_length=50
    )
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr
    api_url: Url = "https://sellingpartnerapi-eu.amazon.com"
    token_url: Url = "https://api.amazon.com/auth/o2/token"  # noqa: S105 - an address


class EbaySettings(IntegrationSettings):
    channel: Literal["ebay"]
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    # The seller's consent (authorization code grant); without it, a client-credentials token.
    refresh_token: SecretStr | None = None
    scope: str = "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly"
    api_url: Url = "https://api.ebay.com"
    token_url: Url = "https://api.ebay.com/identity/v1/oauth2/token"  # noqa: S105 - an address


class AdobeCommerceSettings(IntegrationSettings):
    channel: Literal["adobe_commerce"]
    # The store's REST base, e.g. https://shop.example.ch/rest/default
    api_url: Url
    # An integration's access token (System > Integrations), used as a bearer token ...
    access_token: SecretStr | None = None
    # ... or an admin user whose token is fetched from `token_url` and renewed when it expires.
    username: str | None = None
    password: SecretStr | None = None
    token_url: Url | None = None

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> Self:
        admin = self.username is not None and self.password is not None
        if (self.access_token is not None) != admin:
            return self
        raise ValueError("give either access_token, or username and password")

    @property
    def admin_token_url(self) -> str:
        return self.token_url or f"{self.api_url.rstrip('/')}/V1/integration/admin/token"


Integration = Annotated[
    AmazonSettings | EbaySettings | AdobeCommerceSettings, Field(discriminator="channel")
]


class PullersSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="PULLERS_", extra="ignore", frozen=True)

    port: int = Field(8005, ge=1, le=65535)
    database: str = Field("pullers", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    ingest_url: Url = "http://127.0.0.1:8001"
    integrations: tuple[Integration, ...] = ()
    # A replica holds an integration this long unless it renews; then another takes over.
    lease_s: float = Field(120, ge=5, le=3600)
    http_timeout_s: float = Field(30, gt=0, le=300)
    # Tries of one call (channel or ingest) that fails for a passing reason, with back-off.
    attempts: int = Field(5, ge=1, le=20)
    backoff_s: float = Field(1.0, gt=0, le=60)

    @field_validator("integrations")
    @classmethod
    def _names_unique(cls, integrations: tuple[Integration, ...]) -> tuple[Integration, ...]:
        names = [i.name for i in integrations]
        if len(names) != len(set(names)):
            raise ValueError(f"integration names must be unique: {sorted(names)}")
        return integrations

    @model_validator(mode="after")
    def _refuse_development_channel_secrets(self) -> Self:
        if self.environment in (Environment.DEVELOPMENT, Environment.TEST):
            return self
        secrets = [s for i in self.integrations for s in i.secrets()]
        if any(s.get_secret_value().startswith(DEV_SECRET_MARKER) for s in secrets):
            raise ValueError(
                f"refusing to start in {self.environment.value} with development channel secrets"
            )
        return self

    def integration(self, name: str) -> Integration | None:
        return next((i for i in self.integrations if i.name == name), None)

"""Settings of the ingest service (env prefix INGEST_, infrastructure unprefixed).

Channel secrets are JSON objects in the environment, e.g.
`INGEST_SHOPIFY_SECRETS='{"demo-store.myshopify.com": "..."}'`. A shop without a secret is not
accepted: its webhooks get 401.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.ingest.domain.channels.woocommerce import DEFAULT_CONSENT_META, shop_of_source
from services.ingest.domain.integrations import Integration
from shared.contracts.orders import OrderStatus, ShopName
from shared.settings import DEV_SECRET_MARKER, DatabaseSettings, Environment

DEV_IMPORT_TOKEN = "dev-only-import-token-gateway-to-ingest"  # noqa: S105 - refused in production


class IngestSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore", frozen=True)

    port: int = Field(8001, ge=1, le=65535)
    # Only bulk imports keep state (their jobs); webhooks never touch the database.
    database: str = Field("ingest", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    # Shopify shop domain -> the app's client secret that signs its webhooks.
    shopify_secrets: dict[ShopName, SecretStr] = Field(default_factory=dict)
    # WooCommerce site URL (X-WC-Webhook-Source) -> the webhook's secret.
    woocommerce_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    # Order meta keys of newsletter plugins -> the consent purpose their opt-in box is about.
    woocommerce_consent_meta: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_CONSENT_META)
    )
    # Order statuses that plugins add -> canonical status (e.g. {"shipped": "shipped"}).
    woocommerce_statuses: dict[str, OrderStatus] = Field(default_factory=dict)
    # Who may post orders (`POST /v1/orders`, `POST /v1/channels/{channel}/orders`), e.g.
    # `[{"channel": "amazon", "shop": "seller-eu", "marketplaces": ["A1PA6795UKMFR9"],
    #    "api_key": "..."}]`.
    integrations: tuple[Integration, ...] = ()
    # Bulk imports come from the gateway, which names who imports: only a caller holding this
    # token may start one or read a job (the gateway's GATEWAY_INGEST_TOKEN).
    import_token: SecretStr = Field(SecretStr(DEV_IMPORT_TOKEN), min_length=24)
    # Largest body of any request but a bulk import (an order, a webhook); real orders are a few
    # hundred KiB at most.
    max_order_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    # Largest bulk import file, read as it arrives (`POST /v1/imports`).
    max_import_bytes: int = Field(1024**3, ge=1024)
    # Deepest nesting of a JSON body; channel orders need fewer than 10 levels.
    max_json_depth: int = Field(32, ge=8, le=1000)

    @field_validator("woocommerce_secrets")
    @classmethod
    def _sites_as_shops(cls, secrets: dict[str, SecretStr]) -> dict[str, SecretStr]:
        shops = {site: shop_of_source(site) for site in secrets}
        if unnamed := [site for site, shop in shops.items() if shop is None]:
            raise ValueError(f"not the URL of a site: {unnamed}")
        return {shop: secrets[site] for site, shop in shops.items() if shop is not None}

    @model_validator(mode="after")
    def _refuse_development_channel_secrets(self) -> Self:
        if self.environment in (Environment.DEVELOPMENT, Environment.TEST):
            return self
        secrets = [
            *self.shopify_secrets.values(),
            *self.woocommerce_secrets.values(),
            *(i.api_key for i in self.integrations),
        ]
        if any(s.get_secret_value().startswith(DEV_SECRET_MARKER) for s in secrets):
            raise ValueError(
                f"refusing to start in {self.environment.value} with development channel secrets"
            )
        return self

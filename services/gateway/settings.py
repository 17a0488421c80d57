"""Settings of the gateway (env prefix GATEWAY_, infrastructure unprefixed)."""

from pathlib import Path
from typing import Any, Self

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings


class GatewaySettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    port: int = Field(8000, ge=1, le=65535)
    # Access data only: API keys, roles, the access log.
    database: str = Field("gateway", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    # How long a request waits for a service's answer before it gets a 503.
    rpc_timeout_s: float = Field(5.0, gt=0, le=60)
    # Where uploads of bulk imports are streamed to (over HTTP: files do not go through RabbitMQ).
    ingest_url: str = Field("http://127.0.0.1:8001", pattern=r"^https?://")
    # Ingest's INGEST_IMPORT_TOKEN: proves to ingest that an import comes from the gateway.
    ingest_token: SecretStr = Field(
        SecretStr("dev-only-import-token-gateway-to-ingest"), min_length=24
    )
    # Largest body of a request (`shared.http_limits`); a customer with 50 addresses is ~30 KiB.
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # Largest bulk import file, streamed on to ingest as it arrives.
    max_import_bytes: int = Field(1024**3, ge=1024)
    # Deepest nesting of a JSON body.
    max_json_depth: int = Field(32, ge=8, le=1000)

    # How long a console session lasts after sign-in.
    console_session_hours: float = Field(8, gt=0, le=24 * 30)

    # Sign-in to the console at an OpenID Connect provider (authorization code with PKCE): the
    # issuer (its discovery document is read), the console's client there, and the console's
    # callback URL registered with it (`<gateway>/console/sign-in/callback`). Roles and name come
    # from the ID token's claims named by GATEWAY_JWT_ROLES_CLAIM and GATEWAY_JWT_NAME_CLAIM.
    oidc_issuer: str | None = Field(None, pattern=r"^https?://")
    oidc_client_id: str | None = Field(None, max_length=200)
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_url: str | None = Field(None, pattern=r"^https?://")

    # An admin key from the environment, for the first start (to make the real keys); unset
    # once those exist. Sent like any key.
    bootstrap_api_key: SecretStr | None = Field(None, min_length=24)
    # Bearer tokens of an OpenID Connect provider: who issues them, for which audience, where
    # its signing keys are (a JWKS URL or a file), which claims hold the roles and the name.
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_jwks_url: str | None = Field(None, pattern=r"^https?://")
    jwt_jwks_file: Path | None = None
    jwt_roles_claim: str = Field("roles", min_length=1, max_length=100)
    jwt_name_claim: str = Field("name", min_length=1, max_length=100)
    # Clock skew allowed between the provider and the gateway.
    jwt_leeway_s: float = Field(30, ge=0, le=300)
    jwt_algorithms: tuple[str, ...] = ("RS256", "ES256")
    # Requests per principal (`limits` notation: "1200/minute", "50/second"), per replica.
    rate_limit: str = "1200/minute"
    # Requests handled at once (`shared.load_shedding`); past it 503 with Retry-After: 1. A
    # healthy gateway holds a few (requests a second times seconds each: 100 lookups a second
    # at 30 ms are 3), so the cap bites only when the services fall behind. Then each waiting
    # request holds memory until its answer or the RPC timeout: 100 searches a second waiting
    # out 5 s are up to 500, and took the gateway from 98 to 195 MB, roughly 0.2 MB each; by
    # that estimate 128 waiting stay near 125 MB, under the 150 MB it is meant to need.
    max_requests_in_flight: int = Field(128, ge=1)

    @field_validator(
        "bootstrap_api_key",
        "jwt_issuer",
        "jwt_audience",
        "jwt_jwks_url",
        "jwt_jwks_file",
        "oidc_issuer",
        "oidc_client_id",
        "oidc_client_secret",
        "oidc_redirect_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # Compose passes an unset variable as an empty string.
        return None if value == "" else value

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as error:
            raise ValueError(f'not a rate like "1200/minute": {error}') from None
        return value

    @model_validator(mode="after")
    def _tokens_fully_configured(self) -> Self:
        given = [self.jwt_issuer, self.jwt_audience, self.jwt_jwks_url or self.jwt_jwks_file]
        if any(given) and not all(given):
            raise ValueError(
                "bearer tokens need GATEWAY_JWT_ISSUER, GATEWAY_JWT_AUDIENCE and "
                "GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_JWKS_FILE"
            )
        console = [self.oidc_issuer, self.oidc_client_id, self.oidc_redirect_url]
        if any(console) and not all(console):
            raise ValueError(
                "console sign-in at a provider needs GATEWAY_OIDC_ISSUER, GATEWAY_OIDC_CLIENT_ID "
                "and GATEWAY_OIDC_REDIRECT_URL (and GATEWAY_OIDC_CLIENT_SECRET for a "
                "confidential client)"
            )
        if self.jwt_jwks_url and self.jwt_jwks_file:
            raise ValueError("give GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_JWKS_FILE, not both")
        return self

    @property
    def accepts_tokens(self) -> bool:
        return bool(self.jwt_issuer)

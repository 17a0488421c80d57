"""Settings of the gateway (env prefix GATEWAY_, infrastructure unprefixed)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    port: int = Field(8000, ge=1, le=65535)
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

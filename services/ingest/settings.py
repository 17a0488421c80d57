"""Settings of the ingest service (env prefix INGEST_, infrastructure unprefixed)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore", frozen=True)

    port: int = Field(8001, ge=1, le=65535)

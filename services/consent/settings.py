"""Settings of the consent service (env prefix CONSENT_, infrastructure unprefixed)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings


class ConsentSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENT_", extra="ignore", frozen=True)

    port: int = Field(8003, ge=1, le=65535)
    database: str = Field("consent", pattern=r"^[A-Za-z0-9_-]{1,60}$")

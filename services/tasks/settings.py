"""Settings of the tasks service (env prefix TASKS_, infrastructure unprefixed)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings


class TasksSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_", extra="ignore", frozen=True)

    port: int = Field(8004, ge=1, le=65535)
    database: str = Field("tasks", pattern=r"^[A-Za-z0-9_-]{1,60}$")

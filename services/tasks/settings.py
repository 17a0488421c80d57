"""Settings of the tasks service (env prefix TASKS_, infrastructure unprefixed)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DatabaseSettings


class TasksSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_", extra="ignore", frozen=True)

    port: int = Field(8004, ge=1, le=65535)
    database: str = Field("tasks", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    # How often each instance looks for due alarms: a reminder rings at most this late (plus
    # the time to claim it), when all instances are up.
    alarm_poll_s: float = Field(1.0, gt=0, le=60)
    # How long an instance holds a claimed alarm: one that dies holding it delays that alarm by
    # at most this long, until another instance takes it over.
    alarm_lease_s: float = Field(30.0, ge=0.5, le=3600)
    # Customer news for the directory (about one per order) kept in one write: at most this
    # many, collected for at most this long (see shared.batching). A size of 1 keeps each alone.
    directory_batch_size: int = Field(16, ge=1, le=500)
    directory_batch_wait_ms: int = Field(20, ge=0, le=5_000)
    # Batches written side by side by one process (the work queue's prefetch follows).
    directory_batches_at_once: int = Field(2, ge=1, le=32)

"""What ingest's endpoints depend on, as `Annotated` types: the intake, the settings and the
import jobs `main` built, and the headers several entry points share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.ingest.settings import IngestSettings
from services.ingest.use_cases.import_runs import ImportJobStore
from services.ingest.use_cases.intake import Intake


async def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


async def _settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


async def _import_jobs(request: Request) -> ImportJobStore:
    jobs: ImportJobStore = request.app.state.import_jobs
    return jobs


IntakeDep = Annotated[Intake, Depends(_intake)]
SettingsDep = Annotated[IngestSettings, Depends(_settings)]
ImportJobsDep = Annotated[ImportJobStore, Depends(_import_jobs)]

_bearer = HTTPBearer(auto_error=False)
# `Authorization: Bearer <key>`, or None (missing or another scheme): the endpoint refuses.
BearerKey = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
# Who sent the request names it; it becomes the command's correlation id.
CorrelationId = Annotated[str | None, Header(alias="X-Correlation-ID", max_length=100)]

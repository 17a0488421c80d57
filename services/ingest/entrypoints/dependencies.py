"""What ingest's endpoints depend on, as `Annotated` types: the intake, the settings and the
import jobs `main` built, the integration a key belongs to, and the headers several entry points
share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.ingest.domain.integrations import Integration
from services.ingest.entrypoints.requests import unauthorized
from services.ingest.entrypoints.signatures import holder_of
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


async def _integration(settings: SettingsDep, key: BearerKey) -> Integration:
    given = key.credentials.strip() if key else None
    integration = holder_of(given, ((i.api_key, i) for i in settings.integrations))
    if integration is None:
        raise unauthorized("An integration's API key is required", challenge="Bearer")
    return integration


# The integration whose key (`Authorization: Bearer <key>`) the request carries; else 401.
IntegrationDep = Annotated[Integration, Depends(_integration)]

"""`POST /v1/imports`: a file of orders or customer records, streamed; `GET /v1/imports/{id}`:
how it went.

`?kind=orders` (the default) takes canonical orders; `?kind=customers&source=<slug>` takes
customer records of the system named by `source` (columns: `domain.imports.customer_columns`).
The gateway streams an upload here over HTTP (an upload does not belong in a RabbitMQ message).
Rows are read and published while the file arrives, so neither the gateway nor ingest ever
holds the file; the caller's upload goes at the pace rows are confirmed. The response carries
the finished job; anyone can follow it meanwhile at its `Location`.

The gateway names who imports (`X-Actor-Type`, `X-Actor-Id`) and, for a key bound to a shop,
that shop (`X-Actor-Shop`): rows of other shops then fail (`use_cases.import_runs`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from pydantic import ValidationError
from starlette.requests import ClientDisconnect

from services.ingest.domain.imports.files import MEDIA_TYPES, media_format
from services.ingest.entrypoints.dependencies import (
    BearerKey,
    ImportJobsDep,
    IntakeDep,
    SettingsDep,
)
from services.ingest.entrypoints.requests import unauthorized
from services.ingest.entrypoints.signatures import holder_of
from services.ingest.use_cases.import_runs import (
    Finished,
    ImportJobsUnavailable,
    ShopBoundImport,
    UploadInterrupted,
    UploadTooLarge,
    import_file,
    import_job,
    recent_imports,
)
from shared.contracts.customers import SOURCE_PATTERN
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.imports import (
    IMPORT_SOURCE,
    ImportJob,
    ImportJobList,
    ImportKind,
    ImportStatus,
)
from shared.contracts.orders import ShopName
from shared.contracts.replies import FieldError, Problem, ProblemError, invalid
from shared.errors import InvalidInput
from shared.http_limits import BodyTooLarge, problem_responses, too_large, unsupported_media_type
from shared.problems import unavailable

# Who starts an import when the gateway names nobody.
DIRECT_CALLER = Actor(type=ActorType.API, id="ingest")


async def from_the_gateway(settings: SettingsDep, key: BearerKey) -> None:
    """Imports act on behalf of whoever the gateway names, so only the gateway may start one."""
    given = key.credentials.strip() if key else None
    if holder_of(given, [(settings.import_token, True)]) is None:
        raise unauthorized("Imports are started through the gateway", challenge="Bearer")


router = APIRouter(prefix="/v1/imports", tags=["imports"], dependencies=[Depends(from_the_gateway)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES},
        }
    },
)
async def start_import(
    request: Request,
    response: Response,
    intake: IntakeDep,
    jobs: ImportJobsDep,
    settings: SettingsDep,
    kind: ImportKind = ImportKind.ORDERS,
    source: Annotated[str | None, Query(pattern=SOURCE_PATTERN, description=IMPORT_SOURCE)] = None,
    x_actor_type: Annotated[str | None, Header()] = None,
    x_actor_id: Annotated[str | None, Header(max_length=200)] = None,
    # The shop the importing key is bound to: it imports that shop's orders only.
    x_actor_shop: Annotated[ShopName | None, Header()] = None,
) -> ImportJob:
    content_type = request.headers.get("content-type")
    file_format = media_format(content_type)
    if file_format is None:
        raise ProblemError(unsupported_media_type(content_type, MEDIA_TYPES))
    try:
        finished = await import_file(
            _upload(request),
            file_format=file_format,
            kind=kind,
            source=source,
            started_by=_caller(x_actor_type, x_actor_id),
            shop=x_actor_shop,
            jobs=jobs,
            intake=intake,
            max_depth=settings.max_json_depth,
        )
    except ShopBoundImport as error:
        raise ProblemError(_forbidden(error)) from None
    except ImportJobsUnavailable as error:
        raise unavailable(
            "Imports are unavailable: their database does not answer",
            "Nothing was imported; send the file again later.",
        ) from error
    location = f"/v1/imports/{finished.job.id}"
    _raise_unless_read_to_the_end(finished, location)
    response.headers["Location"] = location
    return finished.job


@router.get("", responses=problem_responses(401, 503))
async def list_imports(
    jobs: ImportJobsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    x_actor_type: Annotated[str | None, Header()] = None,
    x_actor_id: Annotated[str | None, Header(max_length=200)] = None,
) -> ImportJobList:
    """The newest imports; only those of the caller the gateway names, if it names one."""
    started_by = None if x_actor_id is None else _caller(x_actor_type, x_actor_id)
    try:
        return await recent_imports(jobs, limit=limit, started_by=started_by)
    except ImportJobsUnavailable as error:
        raise unavailable(
            "Imports are unavailable: their database does not answer",
            "The jobs cannot be read now; ask again later.",
        ) from error


@router.get("/{import_id}", responses=problem_responses(401, 404, 503))
async def get_import(
    import_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], jobs: ImportJobsDep
) -> ImportJob:
    try:
        return await import_job(jobs, import_id)
    except ImportJobsUnavailable as error:
        raise unavailable(
            "Imports are unavailable: their database does not answer",
            "The job cannot be read now; ask again later.",
        ) from error


async def _upload(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise UploadInterrupted() from None
    except BodyTooLarge as error:
        raise UploadTooLarge(error.limit) from None


def _caller(actor_type: str | None, actor_id: str | None) -> Actor:
    if actor_type is None and actor_id is None:
        return DIRECT_CALLER
    try:
        return Actor.model_validate({"type": actor_type, "id": actor_id})
    except ValidationError as error:
        raise InvalidInput(
            [FieldError(field="X-Actor-Type", message=str(error.errors()[0]["msg"]))],
            "X-Actor-Type and X-Actor-Id must name who imports",
        ) from None


def _forbidden(error: ShopBoundImport) -> Problem:
    return Problem(
        type="urn:problem:forbidden",
        title="Forbidden",
        status=403,
        detail=str(error),
        errors=(FieldError(field=error.field, message=str(error)),),
    )


def _raise_unless_read_to_the_end(finished: Finished, location: str) -> None:
    """A completed job answers 201; so does an interrupted one (nobody is left to read the
    answer, the job tells what was received). A refused file or a broker that went away is a
    problem that still points at the job (`Location`), which tells how far the file got."""
    job = finished.job
    if job.status in (ImportStatus.COMPLETED, ImportStatus.INTERRUPTED):
        return
    if finished.too_large is not None:
        problem = too_large(finished.too_large.limit).model_copy(
            update={"detail": f"{job.detail} (import {job.id}: {job.rows_accepted} rows accepted)"}
        )
        raise ProblemError(problem, headers={"Location": location})
    if finished.refused is not None:
        error = finished.refused
        problem = invalid(
            f"{job.detail} (import {job.id})",
            (FieldError(field=error.error.field, message=f"line {error.line}: {error}"),),
        )
        raise ProblemError(problem, headers={"Location": location})
    raise unavailable(
        "Import stopped: message broker unavailable",
        f"{job.detail} (import {job.id}: {job.rows_accepted} rows accepted)",
        kind="broker-unavailable",
        headers={"Location": location},
    )

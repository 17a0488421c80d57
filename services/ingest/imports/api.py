"""`POST /v1/imports`: a file of orders or customers, streamed; `GET /v1/imports/{id}`: how it went.

`?kind=orders` (the default) takes canonical orders; `?kind=customers&source=<slug>` takes
customer records of the system named by `source` (columns: `customer_columns`). The gateway
streams an upload here over HTTP (an upload does not belong in a RabbitMQ message).
Rows are read and published while the file arrives, so neither the gateway nor ingest ever
holds the file; the caller's upload goes at the pace rows are confirmed. The response carries
the finished job; anyone can follow it meanwhile at its `Location`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import SecretStr, ValidationError
from pymongo.errors import PyMongoError
from starlette.requests import ClientDisconnect

from services.ingest.imports.formats import MEDIA_TYPES, media_format, rows_of
from services.ingest.imports.jobs import ImportJobs
from services.ingest.imports.kinds import READINGS
from services.ingest.imports.runner import Finished, UploadInterrupted, run_import
from services.ingest.payloads import unauthorized
from services.ingest.publishing import RETRY_AFTER_S, Intake
from services.ingest.signatures import holder_of
from shared.contracts.customers import SOURCE_PATTERN
from shared.contracts.envelope import Actor, ActorType, utc_now
from shared.contracts.imports import ImportJob, ImportKind, ImportStatus
from shared.contracts.replies import FieldError, Problem, ProblemError, invalid, not_found
from shared.problems import problem_response

# Who starts an import when the gateway names nobody.
DIRECT_CALLER = Actor(type=ActorType.API, id="ingest")


def imports_router(intake: Intake, jobs: ImportJobs, *, token: SecretStr) -> APIRouter:
    async def from_the_gateway(
        authorization: Annotated[str | None, Header()] = None,
    ) -> None:
        """Imports act on behalf of whoever the gateway names, so only the gateway may start one."""
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or holder_of(given.strip(), [(token, True)]) is None:
            raise unauthorized("Imports are started through the gateway", challenge="Bearer")

    router = APIRouter(
        prefix="/v1/imports", tags=["imports"], dependencies=[Depends(from_the_gateway)]
    )

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=ImportJob)
    async def import_file(
        request: Request,
        kind: ImportKind = ImportKind.ORDERS,
        source: Annotated[str | None, Query(pattern=SOURCE_PATTERN)] = None,
        content_type: Annotated[str | None, Header()] = None,
        x_actor_type: Annotated[str | None, Header()] = None,
        x_actor_id: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Any:
        file_format = media_format(content_type)
        if file_format is None:
            raise ProblemError(
                Problem(
                    type="urn:problem:unsupported-media-type",
                    title="Unsupported media type",
                    status=415,
                    detail=f"Send the file as one of: {', '.join(sorted(MEDIA_TYPES))}.",
                    errors=(FieldError(field="Content-Type", message=f"{content_type!r}"),),
                )
            )
        _check_source(kind, source)
        # Milliseconds: what MongoDB keeps of a date, so a followed job equals the answered one.
        now = utc_now().replace(microsecond=utc_now().microsecond // 1000 * 1000)
        job = ImportJob(
            id=uuid.uuid4().hex,
            status=ImportStatus.RUNNING,
            format=file_format,
            kind=kind,
            source=source,
            started_by=_caller(x_actor_type, x_actor_id),
            created_at=now,
            updated_at=now,
        )
        try:
            await jobs.add(job)
        except PyMongoError as error:
            raise ProblemError(
                Problem(
                    type="urn:problem:service-unavailable",
                    title="Imports are unavailable: their database does not answer",
                    status=503,
                    detail="Nothing was imported; send the file again later.",
                ),
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ) from error
        reading = READINGS[kind]
        rows = rows_of(file_format, _upload(request), reading.layout)
        return _answer(await run_import(job, rows, reading=reading, jobs=jobs, intake=intake))

    @router.get("/{import_id}", response_model=ImportJob)
    async def get_import(import_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]) -> Any:
        found = await jobs.get(import_id)
        if found is None:
            raise ProblemError(not_found("Import", f"No import {import_id}."))
        return found

    return router


async def _upload(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise UploadInterrupted() from None


def _check_source(kind: ImportKind, source: str | None) -> None:
    """Customers need the system they come from (their external ids are unique only there);
    orders name their channel and shop in every row."""
    if (source is None) == (kind is ImportKind.CUSTOMERS):
        message = (
            "required for kind=customers: the system the records come from"
            if source is None
            else "only a customer import has a source; orders name their channel in each row"
        )
        raise ProblemError(invalid(message, (FieldError(field="source", message=message),)))


def _caller(actor_type: str | None, actor_id: str | None) -> Actor:
    if actor_type is None and actor_id is None:
        return DIRECT_CALLER
    try:
        return Actor.model_validate({"type": actor_type, "id": actor_id})
    except ValidationError as error:
        raise ProblemError(
            invalid(
                "X-Actor-Type and X-Actor-Id must name who imports",
                (FieldError(field="X-Actor-Type", message=str(error.errors()[0]["msg"])),),
            )
        ) from None


def _answer(finished: Finished) -> JSONResponse:
    job = finished.job
    location = {"Location": f"/v1/imports/{job.id}"}
    if job.status in (ImportStatus.COMPLETED, ImportStatus.INTERRUPTED):
        # Interrupted: nobody is left to read this; the job tells what was received.
        return JSONResponse(
            job.model_dump(mode="json"), status_code=status.HTTP_201_CREATED, headers=location
        )
    if finished.refused is not None:
        error = finished.refused
        problem = invalid(
            f"{job.detail} (import {job.id})",
            (FieldError(field=error.error.field, message=f"line {error.line}: {error}"),),
        )
        return problem_response(problem, headers=location)
    problem = Problem(
        type="urn:problem:broker-unavailable",
        title="Import stopped: message broker unavailable",
        status=503,
        detail=f"{job.detail} (import {job.id}: {job.rows_accepted} rows accepted)",
    )
    return problem_response(problem, headers={**location, "Retry-After": str(RETRY_AFTER_S)})

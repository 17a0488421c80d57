"""Bulk imports of orders or customers: `POST /v1/imports` streams the upload to ingest (see
`adapters.ingest_client`), `GET /v1/imports/{id}` shows how it went."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from starlette.requests import ClientDisconnect

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.dependencies import (
    Access,
    Caller,
    IngestDep,
    Principal,
    allowed,
)
from services.gateway.use_cases.imports import import_of, recent_imports
from shared.contracts.customers import SOURCE_PATTERN
from shared.contracts.imports import IMPORT_SOURCE, ImportJob, ImportJobList, ImportKind

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/v1/imports", tags=["imports"], dependencies=[allowed(action=Action.IMPORT)]
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_file(
    request: Request,
    response: Response,
    caller: Caller,
    principal: Principal,
    ingest: IngestDep,
    kind: ImportKind = ImportKind.ORDERS,
    source: Annotated[str | None, Query(pattern=SOURCE_PATTERN, description=IMPORT_SOURCE)] = None,
    # Read, not documented: the body's media types are the request body's, and OpenAPI ignores a
    # Content-Type parameter (a client generated from the document would send any string).
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ImportJob:
    """Import orders, or customers of the system `source` names (`kind=customers`), from
    NDJSON or CSV (by Content-Type); answers with the finished job. A key bound to a shop
    imports that shop's orders only: rows of other shops fail, naming `shop`, and customer
    records are refused (403)."""
    job = await ingest.start_import(
        _upload(request),
        content_type=content_type,
        kind=kind,
        source=source,
        caller=caller,
        shop=principal.shop,
    )
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return job


@router.get("")
async def list_imports(
    caller: Caller,
    grants: Access,
    ingest: IngestDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ImportJobList:
    """The newest imports, with their progress and failed rows: everyone's for those who
    manage access, otherwise the caller's own."""
    return await recent_imports(ingest, caller, grants, limit=limit)


@router.get("/{import_id}")
async def get_import(
    import_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    caller: Caller,
    grants: Access,
    ingest: IngestDep,
) -> ImportJob:
    """One import: the caller's own, or anyone's for those who manage access (404 otherwise)."""
    return await import_of(ingest, caller, grants, import_id)


async def _upload(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        # Ending the stream early lets ingest see a short upload and mark the job interrupted.
        log.info("import upload broke off")
        raise

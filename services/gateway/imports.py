"""Bulk imports of orders or customers: the gateway streams the upload to ingest and relays the
job.

Deliberately HTTP, not RabbitMQ: a file of thousands of rows does not belong in a message, and
streaming it chunk by chunk means neither the gateway nor ingest ever holds the whole file.
Ingest reads the rows as they arrive, publishes each row's command with confirms, and keeps
the job, which callers follow with `GET /v1/imports/{id}`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from starlette.requests import ClientDisconnect

from services.gateway.callers import Caller
from services.gateway.settings import GatewaySettings
from shared.contracts.customers import SOURCE_PATTERN
from shared.contracts.imports import ImportJob, ImportKind
from shared.contracts.replies import Problem, ProblemError

log = logging.getLogger(__name__)
# An upload goes at the pace ingest confirms rows, so reading and writing may pause for a while.
UPLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=300.0, write=300.0, pool=5.0)
QUERY_TIMEOUT = httpx.Timeout(5.0)
_RELAYED_HEADERS = ("content-type", "location", "retry-after")


def imports_router(settings: GatewaySettings) -> APIRouter:
    router = APIRouter(prefix="/v1/imports", tags=["imports"])

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=ImportJob,
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
        caller: Caller,
        kind: ImportKind = ImportKind.ORDERS,
        source: Annotated[str | None, Query(pattern=SOURCE_PATTERN)] = None,
        content_type: Annotated[str | None, Header()] = None,
    ) -> Response:
        """Import orders, or customers of the system `source` names (`kind=customers`), from
        NDJSON or CSV (by Content-Type); answers with the finished job."""
        headers = {
            "Content-Type": content_type or "application/octet-stream",
            "X-Actor-Type": caller.type.value,
            "X-Actor-Id": caller.id,
            **_internal(settings),
        }
        ingest_client = httpx.AsyncClient(base_url=settings.ingest_url, timeout=UPLOAD_TIMEOUT)
        async with ingest_client as ingest:
            try:
                answer = await ingest.post(
                    "/v1/imports",
                    params={"kind": kind.value, **({"source": source} if source else {})},
                    content=_upload(request),
                    headers=headers,
                )
            except httpx.HTTPError as error:
                raise _ingest_unavailable(error) from error
        return _relayed(answer)

    @router.get("/{import_id}", response_model=ImportJob)
    async def get_import(
        import_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], caller: Caller
    ) -> Response:
        async with httpx.AsyncClient(base_url=settings.ingest_url, timeout=QUERY_TIMEOUT) as ingest:
            try:
                answer = await ingest.get(f"/v1/imports/{import_id}", headers=_internal(settings))
            except httpx.HTTPError as error:
                raise _ingest_unavailable(error) from error
        return _relayed(answer)

    return router


def _internal(settings: GatewaySettings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.ingest_token.get_secret_value()}"}


async def _upload(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        # Ending the stream early lets ingest see a short upload and mark the job interrupted.
        log.info("import upload broke off")
        raise


def _relayed(answer: httpx.Response) -> Response:
    return Response(
        content=answer.content,
        status_code=answer.status_code,
        headers={k: v for k, v in answer.headers.items() if k.lower() in _RELAYED_HEADERS},
    )


def _ingest_unavailable(error: httpx.HTTPError) -> ProblemError:
    log.warning("ingest unavailable for imports: %s", error)
    return ProblemError(
        Problem(
            type="urn:problem:service-unavailable",
            title="The ingest service is unavailable",
            status=503,
            detail="Nothing was imported; send the file again later.",
        ),
        headers={"Retry-After": "5"},
    )

"""The gateway's client of ingest, for bulk imports: the upload is streamed on, the job comes back.

Deliberately HTTP, not RabbitMQ: a file of thousands of rows does not belong in a message, and
streaming it chunk by chunk means neither the gateway nor ingest ever holds the whole file.
Ingest reads the rows as they arrive, publishes each row's command with confirms, and keeps
the job, which callers follow with `GET /v1/imports/{id}`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable
from typing import TypeVar

import httpx
from pydantic import SecretStr, ValidationError

from services.gateway.use_cases.ports import Refused
from shared.contracts.envelope import Actor, Contract
from shared.contracts.imports import ImportJob, ImportJobList, ImportKind
from shared.contracts.replies import Problem
from shared.rpc import ServiceUnavailable

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Contract)
# An upload goes at the pace ingest confirms rows, so reading and writing may pause for a while.
UPLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=300.0, write=300.0, pool=5.0)
QUERY_TIMEOUT = httpx.Timeout(5.0)
# Headers of a refusal that still mean something to the gateway's caller.
_RELAYED_HEADERS = ("location", "retry-after")


class IngestClient:
    def __init__(self, base_url: str, token: SecretStr) -> None:
        self._base_url = base_url
        # Proves to ingest that the import comes from the gateway, which names who imports.
        self._authorization = {"Authorization": f"Bearer {token.get_secret_value()}"}

    async def start_import(
        self,
        upload: AsyncIterable[bytes],
        *,
        content_type: str | None,
        kind: ImportKind,
        source: str | None,
        caller: Actor,
        shop: str | None,
    ) -> ImportJob:
        """Stream the file to ingest; the finished job, or `Refused` with ingest's problem.
        `shop`: the one the caller's key is bound to, whose orders alone it may import (ingest
        fails the rows of other shops)."""
        headers = {
            "Content-Type": content_type or "application/octet-stream",
            "X-Actor-Type": caller.type.value,
            "X-Actor-Id": caller.id,
            **({"X-Actor-Shop": shop} if shop is not None else {}),
            **self._authorization,
        }
        params = {"kind": kind.value, **({"source": source} if source else {})}
        async with httpx.AsyncClient(base_url=self._base_url, timeout=UPLOAD_TIMEOUT) as ingest:
            try:
                answer = await ingest.post(
                    "/v1/imports", params=params, content=upload, headers=headers
                )
            except httpx.HTTPError as error:
                raise _unavailable(
                    error, "Nothing was imported; send the file again later."
                ) from error
        return _job(answer)

    async def import_job(self, import_id: str) -> ImportJob:
        async with httpx.AsyncClient(base_url=self._base_url, timeout=QUERY_TIMEOUT) as ingest:
            try:
                answer = await ingest.get(f"/v1/imports/{import_id}", headers=self._authorization)
            except httpx.HTTPError as error:
                raise _unavailable(error, "The job cannot be read now; ask again later.") from error
        return _job(answer)

    async def import_jobs(self, *, limit: int, started_by: Actor | None) -> ImportJobList:
        """The newest jobs; of `started_by` only, when given."""
        headers = dict(self._authorization)
        if started_by is not None:
            headers |= {"X-Actor-Type": started_by.type.value, "X-Actor-Id": started_by.id}
        async with httpx.AsyncClient(base_url=self._base_url, timeout=QUERY_TIMEOUT) as ingest:
            try:
                answer = await ingest.get("/v1/imports", params={"limit": limit}, headers=headers)
            except httpx.HTTPError as error:
                detail = "The jobs cannot be read now; ask again later."
                raise _unavailable(error, detail) from error
        return _read(answer, ImportJobList)


def _job(answer: httpx.Response) -> ImportJob:
    return _read(answer, ImportJob)


def _read(answer: httpx.Response, model: type[M]) -> M:
    try:
        if answer.is_success:
            return model.model_validate_json(answer.content)
        problem = Problem.model_validate_json(answer.content)
    except ValidationError as error:
        log.warning("ingest answered %d with no job and no problem: %s", answer.status_code, error)
        raise ServiceUnavailable(
            "ingest", "ingest gave an answer the gateway cannot read"
        ) from None
    headers = {k: v for k, v in answer.headers.items() if k.lower() in _RELAYED_HEADERS}
    raise Refused(problem, headers=headers)


def _unavailable(error: httpx.HTTPError, detail: str) -> ServiceUnavailable:
    log.warning("ingest unavailable for imports: %s", error)
    return ServiceUnavailable("ingest", detail)

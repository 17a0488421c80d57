"""Which imports a caller is shown: an import names who started it and what failed in it, so
those who manage access see everyone's, anyone else with the import action only their own."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Protocol

from services.gateway.domain.policy import Grants
from services.gateway.domain.roles import Action
from shared.contracts.envelope import Actor
from shared.contracts.imports import ImportJob, ImportJobList, ImportKind


class RecentJobs(Protocol):
    async def import_jobs(self, *, limit: int, started_by: Actor | None) -> ImportJobList: ...


class ImportJobs(RecentJobs, Protocol):
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
        """The file streamed to ingest; the finished job, or `Refused` with ingest's problem."""
        ...

    async def import_job(self, import_id: str) -> ImportJob: ...


async def recent_imports(
    jobs: RecentJobs, caller: Actor, grants: Grants, *, limit: int
) -> ImportJobList:
    grants.require(Action.IMPORT)
    everyone = grants.may(Action.MANAGE_ACCESS)
    return await jobs.import_jobs(limit=limit, started_by=None if everyone else caller)

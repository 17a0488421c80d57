"""Which imports a caller is shown: an import names who started it and what failed in it, so
those who manage access see everyone's, anyone else with the import action only their own, in
the list and one by one."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Protocol

from services.gateway.domain.policy import Grants
from services.gateway.domain.roles import Action
from shared.contracts.envelope import Actor
from shared.contracts.imports import ImportJob, ImportJobList, ImportKind
from shared.errors import NotFound


class RecentJobs(Protocol):
    async def import_jobs(self, *, limit: int, started_by: Actor | None) -> ImportJobList: ...


class OneJob(Protocol):
    async def import_job(self, import_id: str) -> ImportJob: ...


class ImportJobs(RecentJobs, OneJob, Protocol):
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


def _sees_everyones(grants: Grants) -> bool:
    grants.require(Action.IMPORT)
    return grants.may(Action.MANAGE_ACCESS)


async def recent_imports(
    jobs: RecentJobs, caller: Actor, grants: Grants, *, limit: int
) -> ImportJobList:
    everyone = _sees_everyones(grants)
    return await jobs.import_jobs(limit=limit, started_by=None if everyone else caller)


async def import_of(jobs: OneJob, caller: Actor, grants: Grants, import_id: str) -> ImportJob:
    """The job, if the caller may see it; another's job is "not found", as one that does not
    exist, so that its id tells a stranger nothing."""
    everyone = _sees_everyones(grants)
    job = await jobs.import_job(import_id)
    if not everyone and job.started_by != caller:
        raise NotFound("Import", f"No import {import_id}.")
    return job

"""Which imports a caller is shown, in the list and one by one: everyone's to those who manage
access, otherwise their own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.gateway.domain.policy import AccessDenied, Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES
from services.gateway.use_cases.imports import import_of, recent_imports
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.imports import ImportJob, ImportJobList, ImportStatus
from shared.errors import NotFound


class Jobs:
    def __init__(self) -> None:
        self.asked: list[Actor | None] = []

    async def import_jobs(self, *, limit: int, started_by: Actor | None) -> ImportJobList:
        self.asked.append(started_by)
        return ImportJobList(items=())


def grants(*roles: str) -> tuple[Actor, Grants]:
    who = Principal("k1", "k1", PrincipalKind.KEY, roles)
    return who.actor, Grants.of(who, DEFAULT_ROLES)


async def test_an_admin_sees_every_import_an_integration_its_own() -> None:
    jobs = Jobs()
    await recent_imports(jobs, *grants("admin"), limit=10)
    actor, integration = grants("integration")
    await recent_imports(jobs, actor, integration, limit=10)
    assert jobs.asked == [None, actor]
    with pytest.raises(AccessDenied):
        await recent_imports(jobs, *grants("supporter"), limit=10)


def job(started_by: Actor) -> ImportJob:
    now = datetime.now(UTC)
    return ImportJob(
        id="a" * 32,
        status=ImportStatus.COMPLETED,
        format="ndjson",
        started_by=started_by,
        created_at=now,
        updated_at=now,
    )


class OneJob:
    def __init__(self, started_by: Actor) -> None:
        self.job = job(started_by)

    async def import_job(self, import_id: str) -> ImportJob:
        return self.job


async def test_one_import_is_shown_to_its_starter_and_to_those_who_manage_access() -> None:
    actor, integration = grants("integration")
    own = OneJob(actor)
    assert await import_of(own, actor, integration, own.job.id) == own.job
    assert await import_of(own, *grants("admin"), own.job.id) == own.job

    others = OneJob(Actor(type=ActorType.API, id="someone-else"))
    with pytest.raises(NotFound):
        await import_of(others, actor, integration, others.job.id)
    with pytest.raises(AccessDenied):
        await import_of(own, *grants("supporter"), own.job.id)

"""Which imports a caller is shown: everyone's to those who manage access, otherwise their own."""

from __future__ import annotations

import pytest

from services.gateway.domain.policy import AccessDenied, Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES
from services.gateway.use_cases.imports import recent_imports
from shared.contracts.envelope import Actor
from shared.contracts.imports import ImportJobList


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

"""Authentication and keys with in-memory stores: what holds and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest

from services.gateway.domain import api_keys
from services.gateway.domain.principal import PrincipalKind
from services.gateway.domain.roles import Action
from services.gateway.use_cases.access import Authenticator, KeyAdmin, RoleAdmin, Unauthenticated
from shared.contracts.envelope import ActorType
from shared.errors import InvalidInput
from tests.unit.gateway.access_fakes import MemoryKeys, MemoryRoles

BOOTSTRAP = "a-bootstrap-key-of-24-characters-or-more"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class World(NamedTuple):
    authenticator: Authenticator
    admin: KeyAdmin
    keys: MemoryKeys
    clock: Clock


@pytest.fixture
async def world() -> World:
    keys, roles, clock = MemoryKeys(), MemoryRoles(), Clock()
    await RoleAdmin(roles).seed()
    authenticator = Authenticator(keys, roles, clock, bootstrap_key=BOOTSTRAP)
    return World(authenticator, KeyAdmin(keys, roles, clock), keys, clock)


def test_a_key_is_recognised_by_its_form_only() -> None:
    record, key = api_keys.new_key(
        name="app", roles=("admin",), now=datetime.now(UTC), created_by="bootstrap"
    )
    parts = api_keys.parse(key)
    assert parts is not None
    assert parts.key_id == record.id
    assert record.matches(parts.secret)
    assert parts.secret not in repr(record)
    assert not record.matches(parts.secret[:-1] + "x")
    for other in ("", "crm__x", "Bearer " + key, key + "=", "eyJ.a.b"):
        assert api_keys.parse(other) is None


async def test_the_bootstrap_key_is_an_admin(world: World) -> None:
    authenticator, *_ = world
    caller = await authenticator.authenticate(BOOTSTRAP)
    assert caller.principal.roles == ("admin",)
    assert caller.principal.actor.type is ActorType.API
    assert caller.grants.may(Action.MANAGE_ACCESS)
    with pytest.raises(Unauthenticated):
        await authenticator.authenticate(BOOTSTRAP[:-1])
    with pytest.raises(Unauthenticated):
        await authenticator.authenticate(None)


async def test_keys_expire_and_are_revoked_at_once(world: World) -> None:
    authenticator, admin, _, clock = world
    _, key = await admin.create(
        name="shop app",
        roles=("integration",),
        created_by="bootstrap",
        expires_at=clock.now + timedelta(days=1),
        shop="demo-store.myshopify.com",
    )
    caller = await authenticator.authenticate(key)
    assert caller.principal.kind is PrincipalKind.KEY
    assert caller.principal.shop == "demo-store.myshopify.com"
    assert caller.grants.may(Action.IMPORT)
    assert not caller.grants.reads_group("identity")

    clock.now += timedelta(days=1)
    with pytest.raises(Unauthenticated, match="expired"):
        await authenticator.authenticate(key)

    _, other = await admin.create(name="b", roles=("analyst",), created_by="bootstrap")
    await authenticator.authenticate(other)
    await admin.revoke(other.split("_")[1])
    with pytest.raises(Unauthenticated, match="revoked"):
        await authenticator.authenticate(other)


async def test_last_use_is_written_at_most_once_a_minute(world: World) -> None:
    authenticator, admin, keys, clock = world
    record, key = await admin.create(name="busy", roles=("analyst",), created_by="bootstrap")
    for _ in range(100):
        await authenticator.authenticate(key)
        clock.now += timedelta(seconds=1)
    assert keys.touches == 2
    assert keys.keys[record.id].last_used_at is not None


async def test_a_key_needs_known_roles_and_a_future_expiry(world: World) -> None:
    _, admin, _, clock = world
    with pytest.raises(InvalidInput) as refused:
        await admin.create(
            name="x",
            roles=("wizard",),
            created_by="bootstrap",
            expires_at=clock.now - timedelta(seconds=1),
        )
    assert {e.field for e in refused.value.errors} == {"roles", "expires_at"}

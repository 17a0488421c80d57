"""The gateway keeps its roles for a moment instead of reading them on every request; a change
through the same gateway applies at once, one made elsewhere within the cache's age."""

from __future__ import annotations

import asyncio

from services.gateway.adapters.recent_roles import RecentRoles
from services.gateway.domain.roles import Role
from tests.unit.gateway.access_fakes import MemoryRoles


class CountedRoles(MemoryRoles):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.read_started = asyncio.Event()
        self.hold = asyncio.Event()
        self.hold.set()

    async def all(self) -> list[Role]:
        self.reads += 1
        found = await super().all()  # what the database holds when the read starts
        self.read_started.set()
        await self.hold.wait()
        return found


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def roles_with(*roles: Role) -> CountedRoles:
    store = CountedRoles()
    store.roles = {r.name: r for r in roles}
    return store


async def test_requests_within_the_age_read_the_roles_once() -> None:
    store = roles_with(Role("admin"), Role("analyst", reads=frozenset({"reports"})))
    clock = Clock()
    recent = RecentRoles(store, max_age_s=2.0, clock=clock)
    for _ in range(5):
        assert [r.name for r in await recent.of(("analyst", "nobody"))] == ["analyst"]
        clock.now += 0.3
    assert store.reads == 1
    clock.now += 1.0
    await recent.of(("admin",))
    assert store.reads == 2


async def test_a_change_made_elsewhere_applies_once_the_roles_are_old() -> None:
    store = roles_with(Role("analyst", reads=frozenset({"reports"})))
    clock = Clock()
    recent = RecentRoles(store, max_age_s=2.0, clock=clock)
    await recent.of(("analyst",))
    store.roles["analyst"] = Role("analyst")  # another replica took the right away
    assert (await recent.of(("analyst",)))[0].reads == {"reports"}
    clock.now += 2.0
    assert (await recent.of(("analyst",)))[0].reads == frozenset()


async def test_a_change_through_this_gateway_applies_to_the_next_request() -> None:
    store = roles_with(Role("analyst", reads=frozenset({"reports"})))
    recent = RecentRoles(store, max_age_s=60.0, clock=Clock())
    await recent.of(("analyst",))
    await recent.put(Role("analyst"))
    assert (await recent.of(("analyst",)))[0].reads == frozenset()


async def test_many_requests_waiting_for_the_roles_share_one_read() -> None:
    store = roles_with(Role("admin"))
    recent = RecentRoles(store, clock=Clock())
    store.hold.clear()
    waiting = [asyncio.create_task(recent.of(("admin",))) for _ in range(20)]
    await store.read_started.wait()
    store.hold.set()
    assert all(len(found) == 1 for found in await asyncio.gather(*waiting))
    assert store.reads == 1


async def test_a_read_under_way_during_a_change_is_not_kept() -> None:
    store = roles_with(Role("analyst", reads=frozenset({"reports"})))
    recent = RecentRoles(store, max_age_s=60.0, clock=Clock())
    store.hold.clear()
    reading = asyncio.create_task(recent.of(("analyst",)))
    await store.read_started.wait()  # it has seen the role as it was
    store.hold.set()
    await recent.put(Role("analyst"))
    assert (await reading)[0].reads == {"reports"}
    assert (await recent.of(("analyst",)))[0].reads == frozenset()

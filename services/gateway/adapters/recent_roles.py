"""Roles as the database held them a moment ago.

Every request needs its caller's roles, and they change a few times a year; reading them from
the database on every request was a round trip per lookup (a seventh of the gateway's time at
100 lookups a second). This store keeps all roles (a handful of small documents) and reads
them again once they are `max_age_s` old. A change made through this gateway applies to its
next request; one made through another replica, or with the operator's command line while the
suite runs, applies everywhere within `max_age_s`. API keys are not cached: a revoked key is
refused at once on every replica.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from services.gateway.domain.roles import Role
from services.gateway.use_cases.access import RoleStore

# How stale a replica's view of the roles may be.
MAX_AGE_S = 2.0


class RecentRoles:
    def __init__(
        self,
        store: RoleStore,
        *,
        max_age_s: float = MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._max_age_s = max_age_s
        self._clock = clock
        self._roles: dict[str, Role] | None = None
        self._read_at = 0.0
        self._changes = 0
        # One reader when the roles are due, not one per request waiting for them.
        self._reading = asyncio.Lock()

    async def of(self, names: tuple[str, ...]) -> list[Role]:
        roles = await self._recent()
        return [roles[n] for n in dict.fromkeys(names) if n in roles]

    async def all(self) -> list[Role]:
        """What an admin lists is read now, and refreshes the cache."""
        return list((await self._read()).values())

    async def put(self, role: Role) -> None:
        await self._store.put(role)
        self._forget()

    async def seed(self, roles: tuple[Role, ...]) -> None:
        await self._store.seed(roles)
        self._forget()

    def _forget(self) -> None:
        # A read already under way may have seen the roles before this change: it must not
        # keep them (see `_read`).
        self._roles = None
        self._changes += 1

    async def _recent(self) -> dict[str, Role]:
        if (roles := self._cached()) is not None:
            return roles
        async with self._reading:
            if (roles := self._cached()) is not None:
                return roles
            return await self._read()

    def _cached(self) -> dict[str, Role] | None:
        if self._roles is not None and self._clock() - self._read_at < self._max_age_s:
            return self._roles
        return None

    async def _read(self) -> dict[str, Role]:
        read_at, changes = self._clock(), self._changes
        roles = {r.name: r for r in await self._store.all()}
        if changes == self._changes:
            self._roles, self._read_at = roles, read_at
        return roles

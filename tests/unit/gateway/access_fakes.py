"""In-memory stand-ins of the gateway's key and role stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from services.gateway.domain.api_keys import ApiKey
from services.gateway.domain.roles import Role


class MemoryKeys:
    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}
        self.touches = 0

    async def add(self, key: ApiKey) -> None:
        self.keys[key.id] = key

    async def get(self, key_id: str) -> ApiKey | None:
        return self.keys.get(key_id)

    async def all(self) -> list[ApiKey]:
        return list(self.keys.values())

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        if key_id not in self.keys:
            return None
        self.keys[key_id] = self.keys[key_id].revoked(at)
        return self.keys[key_id]

    async def touch(self, key_id: str, at: datetime) -> None:
        self.touches += 1
        self.keys[key_id] = replace(self.keys[key_id], last_used_at=at)


class MemoryRoles:
    def __init__(self) -> None:
        self.roles: dict[str, Role] = {}

    async def of(self, names: tuple[str, ...]) -> list[Role]:
        return [self.roles[n] for n in names if n in self.roles]

    async def all(self) -> list[Role]:
        return sorted(self.roles.values(), key=lambda r: r.name)

    async def put(self, role: Role) -> None:
        self.roles[role.name] = role

    async def seed(self, roles: tuple[Role, ...]) -> None:
        for role in roles:
            self.roles.setdefault(role.name, role)

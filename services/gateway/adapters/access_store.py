"""The gateway's own database: API keys and roles (access data, never customer data)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.gateway.domain.api_keys import ApiKey
from services.gateway.domain.roles import Action, Role
from shared.mongo import Document

# An action a newer version wrote and this one does not know is ignored.
_ACTIONS = frozenset(a.value for a in Action)


class MongoKeys:
    def __init__(self, keys: AsyncCollection[Document]) -> None:
        self.keys = keys

    async def ensure_indexes(self) -> None:
        await self.keys.create_index("created_at")

    async def add(self, key: ApiKey) -> None:
        await self.keys.insert_one(_key_document(key))

    async def get(self, key_id: str) -> ApiKey | None:
        doc = await self.keys.find_one({"_id": key_id})
        return _key(doc) if doc else None

    async def all(self) -> list[ApiKey]:
        return [_key(d) async for d in self.keys.find().sort("created_at", 1)]

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        # A key revoked before keeps the time it was revoked first.
        await self.keys.update_one(
            {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )
        return await self.get(key_id)

    async def touch(self, key_id: str, at: datetime) -> None:
        await self.keys.update_one({"_id": key_id}, {"$max": {"last_used_at": at}})


class MongoRoles:
    def __init__(self, roles: AsyncCollection[Document]) -> None:
        self.roles = roles

    async def of(self, names: tuple[str, ...]) -> list[Role]:
        return [_role(d) async for d in self.roles.find({"_id": {"$in": list(names)}})]

    async def all(self) -> list[Role]:
        return [_role(d) async for d in self.roles.find().sort("_id", 1)]

    async def put(self, role: Role) -> None:
        await self.roles.replace_one({"_id": role.name}, _role_document(role), upsert=True)

    async def seed(self, roles: tuple[Role, ...]) -> None:
        """The default roles, unless they exist: an admin's changes to them stay."""
        for role in roles:
            with contextlib.suppress(DuplicateKeyError):
                await self.roles.insert_one(_role_document(role))


def _key_document(key: ApiKey) -> Document:
    return {
        "_id": key.id,
        "name": key.name,
        "roles": list(key.roles),
        "secret_hash": key.secret_hash,
        "created_at": key.created_at,
        "created_by": key.created_by,
        "expires_at": key.expires_at,
        "shop": key.shop,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }


def _key(doc: Document) -> ApiKey:
    return ApiKey(
        id=doc["_id"],
        name=doc["name"],
        roles=tuple(doc["roles"]),
        secret_hash=doc["secret_hash"],
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        expires_at=doc.get("expires_at"),
        shop=doc.get("shop"),
        revoked_at=doc.get("revoked_at"),
        last_used_at=doc.get("last_used_at"),
    )


def _role_document(role: Role) -> Document:
    return {
        "_id": role.name,
        "reads": sorted(role.reads),
        "writes": sorted(role.writes),
        "actions": sorted(a.value for a in role.actions),
        "masked": sorted(role.masked),
        "description": role.description,
    }


def _role(doc: dict[str, Any]) -> Role:
    return Role(
        name=doc["_id"],
        reads=frozenset(doc.get("reads", ())),
        writes=frozenset(doc.get("writes", ())),
        actions=frozenset(Action(a) for a in doc.get("actions", ()) if a in _ACTIONS),
        masked=frozenset(doc.get("masked", ())),
        description=doc.get("description", ""),
    )

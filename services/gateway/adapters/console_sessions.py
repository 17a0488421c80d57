"""Console sessions in the gateway's database, under the hash of their token; MongoDB removes
them once expired (a TTL index), and the gateway refuses an expired one before that."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.gateway.domain.console_sessions import ConsoleSession
from services.gateway.domain.principal import Principal, PrincipalKind
from shared.mongo import Document


class MongoSessions:
    def __init__(self, sessions: AsyncCollection[Document]) -> None:
        self.sessions = sessions

    async def ensure_indexes(self) -> None:
        await self.sessions.create_index("expires_at", expireAfterSeconds=0)

    async def add(self, session: ConsoleSession) -> None:
        await self.sessions.insert_one(_document(session))

    async def get(self, session_id: str) -> ConsoleSession | None:
        doc = await self.sessions.find_one({"_id": session_id})
        return _session(doc) if doc else None

    async def remove(self, session_id: str) -> None:
        await self.sessions.delete_one({"_id": session_id})


def _document(session: ConsoleSession) -> Document:
    p = session.principal
    return {
        "_id": session.id,
        "principal": {
            "id": p.id,
            "name": p.name,
            "kind": p.kind.value,
            "roles": list(p.roles),
            "shop": p.shop,
        },
        "csrf_token": session.csrf_token,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
    }


def _session(doc: dict[str, Any]) -> ConsoleSession:
    p = doc["principal"]
    principal = Principal(
        id=p["id"],
        name=p["name"],
        kind=PrincipalKind(p["kind"]),
        roles=tuple(p["roles"]),
        shop=p.get("shop"),
    )
    return ConsoleSession(
        id=doc["_id"],
        principal=principal,
        csrf_token=doc["csrf_token"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
    )

"""The access log in the gateway's database, written durably (majority, journaled) before
the answer that it records leaves the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.write_concern import WriteConcern

from services.gateway.adapters.group_commit import GroupCommit
from services.gateway.domain.access_log import Access
from shared.contracts.envelope import Actor, ActorType
from shared.mongo import Document


def new_access_id() -> str:
    """Ordered by time: the log is listed newest first by it."""
    return str(ObjectId())


class MongoAccessLog:
    def __init__(self, log: AsyncCollection[Document]) -> None:
        self.log = log.with_options(write_concern=WriteConcern(w="majority", j=True))
        # Reads under way at the same time share their inserts (group_commit).
        self._grouped = GroupCommit(self._insert)

    async def ensure_indexes(self) -> None:
        await self.log.create_index([("customer_id", 1), ("_id", DESCENDING)])
        await self.log.create_index([("actor.id", 1), ("_id", DESCENDING)])

    async def add(self, entries: list[Access]) -> None:
        await self._grouped.add(entries)

    async def _insert(self, entries: list[Access]) -> None:
        await self.log.insert_many([_document(e) for e in entries], ordered=False)

    async def of_customer(
        self,
        customer_id: str,
        *,
        limit: int,
        before: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Access]:
        query: dict[str, Any] = {"customer_id": customer_id}
        if since is not None or until is not None:
            query["at"] = {
                **({"$gte": since} if since is not None else {}),
                **({"$lte": until} if until is not None else {}),
            }
        return await self._find(query, limit, before)

    async def of_principal(
        self, principal_id: str, *, limit: int, before: str | None = None
    ) -> list[Access]:
        return await self._find({"actor.id": principal_id}, limit, before)

    async def _find(self, query: dict[str, Any], limit: int, before: str | None) -> list[Access]:
        if before is not None:
            query["_id"] = {"$lt": ObjectId(before)}
        found = self.log.find(query).sort("_id", DESCENDING).limit(limit)
        return [_access(d) async for d in found]


def _document(entry: Access) -> Document:
    return {
        "_id": ObjectId(entry.id),
        "at": entry.at,
        "customer_id": entry.customer_id,
        "groups": list(entry.groups),
        "actor": {"type": entry.actor.type.value, "id": entry.actor.id},
        "request_id": entry.request_id,
        "purpose": entry.purpose,
        "client": entry.client,
        "route": entry.route,
    }


def _access(doc: Document) -> Access:
    return Access(
        id=str(doc["_id"]),
        at=doc["at"],
        customer_id=doc["customer_id"],
        groups=tuple(doc["groups"]),
        actor=Actor(type=ActorType(doc["actor"]["type"]), id=doc["actor"]["id"]),
        request_id=doc["request_id"],
        purpose=doc.get("purpose"),
        client=doc.get("client"),
        route=doc["route"],
    )

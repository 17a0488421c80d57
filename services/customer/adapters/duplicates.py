"""Duplicate candidates (the `duplicates` collection), highest score first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pymongo import DESCENDING

from services.customer.adapters import paging
from services.customer.adapters.bson import from_document, to_document
from services.customer.domain.duplicates import Candidate
from shared.contracts.duplicates import CandidateStatus

if TYPE_CHECKING:
    from datetime import datetime

    from pymongo.asynchronous.database import AsyncDatabase

    from services.customer.domain.duplicates import Match
    from shared.contracts.envelope import Actor
    from shared.mongo import Document, Session


class MongoDuplicates:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.duplicates = db["duplicates"]

    async def ensure_indexes(self) -> None:
        await self.duplicates.create_index(
            [("status", DESCENDING), ("score", DESCENDING), ("_id", DESCENDING)]
        )
        await self.duplicates.create_index("customer_ids")

    async def propose(
        self, matches: Iterable[Match], *, now: datetime, session: Session
    ) -> list[str]:
        wanted = {m.id: m for m in matches}
        if not wanted:
            return []
        known = {
            doc["_id"]
            async for doc in self.duplicates.find(
                {"_id": {"$in": list(wanted)}}, {"_id": 1}, session=session
            )
        }
        fresh = [Candidate.proposed(m, now=now) for key, m in wanted.items() if key not in known]
        if fresh:
            await self.duplicates.insert_many([to_document(c) for c in fresh], session=session)
        return [c.id for c in fresh]

    async def get(self, candidate_id: str, *, session: Session | None = None) -> Candidate | None:
        doc = await self.duplicates.find_one({"_id": candidate_id}, session=session)
        return from_document(Candidate, doc) if doc else None

    async def decide(
        self,
        candidate_id: str,
        status: CandidateStatus,
        *,
        actor: Actor,
        now: datetime,
        session: Session,
    ) -> None:
        await self.duplicates.update_one(
            {"_id": candidate_id}, {"$set": _decision(status, actor, now)}, session=session
        )

    async def close_involving(
        self, customer_ids: list[str], *, actor: Actor, now: datetime, session: Session
    ) -> None:
        """Open candidates of customers that are gone (merged away) have nothing to decide."""
        await self.duplicates.update_many(
            {"customer_ids": {"$in": customer_ids}, "status": CandidateStatus.OPEN.value},
            {"$set": _decision(CandidateStatus.OBSOLETE, actor, now)},
            session=session,
        )

    async def forget(self, customer_id: str, *, session: Session) -> None:
        """Erasure: the reasons name phone numbers and names, so the candidates go."""
        await self.duplicates.delete_many({"customer_ids": customer_id}, session=session)

    async def page(
        self,
        *,
        status: CandidateStatus,
        customer_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Candidate], str | None]:
        # A customer's candidates first: SecantusDB serves a query from its first condition's
        # index (see customers._query), and nearly every candidate is open.
        query: Document = {"customer_ids": customer_id} if customer_id is not None else {}
        query["status"] = status.value
        found, next_cursor = await paging.page(
            self.duplicates, query, field="score", descending=True, cursor=cursor, limit=limit
        )
        return [from_document(Candidate, doc) for doc in found], next_cursor

    async def count(self, status: CandidateStatus) -> int:
        return await self.duplicates.count_documents({"status": status.value})


def _decision(status: CandidateStatus, actor: Actor, now: datetime) -> Document:
    return {"status": status.value, "decided_at": now, "decided_by": actor.model_dump(mode="json")}

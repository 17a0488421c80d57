"""Duplicate candidates (the `duplicates` collection), highest score first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from pymongo import DESCENDING

from services.customer import paging
from services.customer.documents import document, record
from services.customer.domain.customer import Record
from services.customer.domain.duplicates import Candidate
from shared.contracts.duplicates import CandidateStatus
from shared.contracts.envelope import Actor

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session


class StoredCandidate(Record):
    id: str
    customer_ids: tuple[str, str]
    score: float
    reasons: tuple[str, ...]
    status: CandidateStatus = CandidateStatus.OPEN
    proposed_at: datetime
    decided_at: datetime | None = None
    decided_by: Actor | None = None


class DuplicateStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.duplicates = db["duplicates"]

    async def ensure_indexes(self) -> None:
        await self.duplicates.create_index(
            [("status", DESCENDING), ("score", DESCENDING), ("_id", DESCENDING)]
        )
        await self.duplicates.create_index("customer_ids")

    async def propose(
        self, candidates: Iterable[Candidate], *, now: datetime, session: Session
    ) -> list[str]:
        """Store the candidates not known yet (a dismissed pair stays dismissed); new ids."""
        wanted = {c.id: c for c in candidates}
        if not wanted:
            return []
        known = {
            doc["_id"]
            async for doc in self.duplicates.find(
                {"_id": {"$in": list(wanted)}}, {"_id": 1}, session=session
            )
        }
        fresh = [
            StoredCandidate(
                id=c.id,
                customer_ids=c.customer_ids,
                score=c.score,
                reasons=c.reasons,
                proposed_at=now,
            )
            for key, c in wanted.items()
            if key not in known
        ]
        if fresh:
            await self.duplicates.insert_many([document(c) for c in fresh], session=session)
        return [c.id for c in fresh]

    async def get(
        self, candidate_id: str, *, session: Session | None = None
    ) -> StoredCandidate | None:
        doc = await self.duplicates.find_one({"_id": candidate_id}, session=session)
        return record(StoredCandidate, doc) if doc else None

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
            {"_id": candidate_id},
            {
                "$set": {
                    "status": status.value,
                    "decided_at": now,
                    "decided_by": actor.model_dump(mode="json"),
                }
            },
            session=session,
        )

    async def close_involving(
        self, customer_ids: list[str], *, actor: Actor, now: datetime, session: Session
    ) -> None:
        """Open candidates of customers that are gone (merged away) have nothing to decide."""
        await self.duplicates.update_many(
            {"customer_ids": {"$in": customer_ids}, "status": CandidateStatus.OPEN.value},
            {
                "$set": {
                    "status": CandidateStatus.OBSOLETE.value,
                    "decided_at": now,
                    "decided_by": actor.model_dump(mode="json"),
                }
            },
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
    ) -> tuple[list[StoredCandidate], str | None]:
        query: Document = {"status": status.value}
        if customer_id is not None:
            query["customer_ids"] = customer_id
        query |= paging.after("score", cursor, descending=True)
        found = [
            doc
            async for doc in self.duplicates.find(query)
            .sort(paging.order("score", descending=True))
            .limit(limit + 1)
        ]
        page = found[:limit]
        next_cursor = (
            paging.encode(page[-1]["score"], page[-1]["_id"]) if len(found) > limit else None
        )
        return [record(StoredCandidate, doc) for doc in page], next_cursor

    async def count(self, status: CandidateStatus) -> int:
        return await self.duplicates.count_documents({"status": status.value})

"""The current consent states in MongoDB (`consents` collection): one document per scope.

Derived from the ledger in the same transaction as the entry that changed them, and rebuildable
from it at any time. Read back as the `ConsentView`s the API shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, ReplaceOne

from services.consent.domain.report import StateCount
from services.consent.domain.scopes import Scope
from shared.contracts.consent import ConsentState, ConsentView

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from services.consent.domain.rules import Folded
    from shared.mongo import Document, Session

# Bookkeeping fields of a state document that the view does not show.
_NOT_SHOWN = ("_id", "customer_id", "inherited", "updated_at")


class MongoStates:
    def __init__(
        self, collection: AsyncCollection[Document], *, clock: Callable[[], datetime]
    ) -> None:
        self._collection = collection
        self._clock = clock

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("customer_id")
        await self._collection.create_index([("purpose", ASCENDING), ("channel", ASCENDING)])

    async def save(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None:
        await self.save_many([(customer_id, states)], session=session)

    async def save_many(
        self, saves: Sequence[tuple[str, Mapping[Scope, Folded]]], *, session: Session
    ) -> None:
        now = self._clock()
        writes = [
            ReplaceOne(
                {"_id": f"{customer_id}/{scope.label}"},
                _document(customer_id, scope, folded, states, now),
                upsert=True,
            )
            for customer_id, states in saves
            for scope, folded in states.items()
        ]
        if writes:
            await self._collection.bulk_write(writes, session=session)

    async def replace(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None:
        """The customer's states become exactly these (a rebuild)."""
        await self._collection.delete_many({"customer_id": customer_id}, session=session)
        await self.save(customer_id, states, session=session)

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None:
        await self._collection.delete_many(
            {"customer_id": {"$in": list(customer_ids)}}, session=session
        )

    async def of_customer(self, customer_id: str) -> list[ConsentView]:
        cursor = self._collection.find({"customer_id": customer_id}).sort(
            [("purpose", ASCENDING), ("channel", ASCENDING)]
        )
        return [
            ConsentView.model_validate({k: v for k, v in doc.items() if k not in _NOT_SHOWN})
            async for doc in cursor
        ]

    async def counts(self, *, purpose: str | None) -> list[StateCount]:
        """How many customers are in each state, per scope (and state inherited there)."""
        match: dict[str, Any] = {} if purpose is None else {"purpose": purpose}
        pipeline: list[dict[str, Any]] = [
            {"$match": match},
            {
                "$group": {
                    "_id": {
                        "purpose": "$purpose",
                        "channel": "$channel",
                        "state": "$state",
                        "inherited": "$inherited",
                    },
                    "count": {"$sum": 1},
                }
            },
        ]
        cursor = await self._collection.aggregate(pipeline)
        return [
            StateCount(
                purpose=row["_id"]["purpose"],
                channel=row["_id"].get("channel"),
                state=ConsentState(row["_id"]["state"]),
                inherited=ConsentState(row["_id"]["inherited"])
                if row["_id"].get("inherited")
                else None,
                count=int(row["count"]),
            )
            async for row in cursor
        ]


def _document(
    customer_id: str, scope: Scope, folded: Folded, states: Mapping[Scope, Folded], now: datetime
) -> Document:
    inherited = states.get(Scope(scope.purpose)) if scope.channel else None
    basis = folded.basis
    return {
        "customer_id": customer_id,
        "purpose": scope.purpose,
        "channel": scope.channel,
        "state": folded.state.value,
        # The decision the state rests on (its proof).
        "decided_at": basis.decided_at if basis else None,
        "source": basis.source.value if basis else None,
        "entry_id": basis.key if basis else None,
        # For the report: a channel's state replaces the all-channels one there.
        "inherited": inherited.state.value if inherited else None,
        "updated_at": now,
    }

"""The consent service's MongoDB adapter: the ledger, the consent states derived from it, merges.

`ledger` is append-only: this adapter inserts entries and, on erasure, replaces personal data
in them; it has no other way to change or remove one. `consents` holds the current state per
customer, purpose and channel: derived from the ledger in the same transaction, and rebuildable
from it at any time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, DESCENDING

from services.consent.domain.ledger import LedgerEntry, consent_view
from services.consent.domain.report import StateCount
from services.consent.domain.scopes import Scope
from shared.contracts.consent import ConsentState, ConsentView
from shared.contracts.customers import CustomerStatus

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from services.consent.domain.rules import Folded
    from shared.mongo import Document, Session

# Merges form chains (A into B, later B into C); a longer chain means the data is inconsistent.
MAX_MERGE_CHAIN = 20


class ConsentStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.ledger = db["ledger"]
        self.consents = db["consents"]
        self.merges = db["merges"]
        # The customer directory (shared.customer_directory) and the outbox live in the same
        # database; merges and erasure must also correct what those hold about a customer.
        self.directory = db["customers"]
        self.outbox = db["outbox"]

    async def ensure_indexes(self) -> None:
        # One position per entry in a customer's ledger: two transactions appending to the same
        # ledger at once collide here, and the loser runs again on the winner's entries.
        await self.ledger.create_index(
            [("customer_id", ASCENDING), ("seq", ASCENDING)], unique=True
        )
        await self.ledger.create_index(
            [("customer_id", ASCENDING), ("purpose", ASCENDING), ("seq", ASCENDING)]
        )
        await self.ledger.create_index("message_id")
        await self.consents.create_index("customer_id")
        await self.consents.create_index([("purpose", ASCENDING), ("channel", ASCENDING)])
        await self.merges.create_index("master_id")

    # --- ledger -------------------------------------------------------------------------------

    async def entries(
        self, customer_id: str, *, session: Session | None = None
    ) -> list[LedgerEntry]:
        cursor = self.ledger.find({"customer_id": customer_id}, session=session).sort(
            "seq", ASCENDING
        )
        return [_entry(doc) async for doc in cursor]

    async def entry(self, entry_id: str, *, session: Session | None = None) -> LedgerEntry | None:
        doc = await self.ledger.find_one({"_id": entry_id}, session=session)
        return _entry(doc) if doc else None

    async def entry_of_message(
        self, message_id: str, *, session: Session | None = None
    ) -> LedgerEntry | None:
        doc = await self.ledger.find_one({"message_id": message_id}, session=session)
        return _entry(doc) if doc else None

    async def append(self, entry: LedgerEntry, *, session: Session) -> None:
        await self.ledger.insert_one(_document(entry), session=session)

    async def history(
        self, customer_id: str, *, purpose: str | None, before_seq: int | None, limit: int
    ) -> list[LedgerEntry]:
        query: dict[str, Any] = {"customer_id": customer_id}
        if purpose is not None:
            query["purpose"] = purpose
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        cursor = self.ledger.find(query).sort("seq", DESCENDING).limit(limit)
        return [_entry(doc) async for doc in cursor]

    async def entries_of(
        self, customer_ids: Sequence[str], *, session: Session
    ) -> list[LedgerEntry]:
        cursor = self.ledger.find({"customer_id": {"$in": list(customer_ids)}}, session=session)
        return [_entry(doc) async for doc in cursor]

    async def pseudonymise(self, entry: LedgerEntry, *, session: Session) -> None:
        """The one change a ledger entry ever gets: its personal data replaced (erasure)."""
        assert entry.pseudonymised_at is not None
        await self.ledger.replace_one(
            {"_id": entry.id, "pseudonymised_at": None}, _document(entry), session=session
        )

    # --- current states -----------------------------------------------------------------------

    async def save_states(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None:
        now = datetime.now(UTC)
        for scope, folded in states.items():
            inherited = states.get(Scope(scope.purpose)) if scope.channel else None
            doc = {
                "customer_id": customer_id,
                **consent_view(scope, folded).model_dump(mode="python"),
                # For the report: a channel's state replaces the all-channels one there.
                "inherited": inherited.state if inherited else None,
                "updated_at": now,
            }
            await self.consents.replace_one(
                {"_id": _state_id(customer_id, scope)}, doc, upsert=True, session=session
            )

    async def replace_states(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None:
        await self.consents.delete_many({"customer_id": customer_id}, session=session)
        await self.save_states(customer_id, states, session=session)

    async def states(self, customer_id: str) -> list[ConsentView]:
        cursor = self.consents.find({"customer_id": customer_id}).sort(
            [("purpose", ASCENDING), ("channel", ASCENDING)]
        )
        return [
            ConsentView.model_validate(
                {
                    k: v
                    for k, v in doc.items()
                    if k not in ("_id", "customer_id", "inherited", "updated_at")
                }
            )
            async for doc in cursor
        ]

    async def forget_states(self, customer_ids: Iterable[str], *, session: Session) -> None:
        await self.consents.delete_many(
            {"customer_id": {"$in": list(customer_ids)}}, session=session
        )

    async def state_counts(self, *, purpose: str | None) -> list[StateCount]:
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
        cursor = await self.consents.aggregate(pipeline)
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

    async def active_customers(self) -> int:
        return await self.directory.count_documents({"status": CustomerStatus.ACTIVE.value})

    # --- merges and erasure -------------------------------------------------------------------

    async def remember_merge(
        self, absorbed_ids: Iterable[str], master_id: str, *, session: Session
    ) -> None:
        ids = [i for i in absorbed_ids if i != master_id]
        for absorbed in ids:
            await self.merges.replace_one(
                {"_id": absorbed}, {"master_id": master_id}, upsert=True, session=session
            )
        # The absorbed records are no customers of their own any more (report, lookups); the
        # customer service says so too, but maybe later than this.
        await self.directory.update_many(
            {"_id": {"$in": ids}},
            {"$set": {"status": CustomerStatus.MERGED.value}},
            session=session,
        )

    async def master_of(self, customer_id: str, *, session: Session | None = None) -> str:
        """The record that holds this customer's data now: itself, or whoever absorbed it."""
        current = customer_id
        for _ in range(MAX_MERGE_CHAIN):
            doc = await self.merges.find_one({"_id": current}, session=session)
            if doc is None:
                return current
            current = doc["master_id"]
        raise RuntimeError(f"merge chain of {customer_id} is longer than {MAX_MERGE_CHAIN}")

    async def absorbed_into(self, master_id: str, *, session: Session) -> list[str]:
        """Every record merged into this one, directly or through others."""
        found: list[str] = []
        frontier = [master_id]
        while frontier and len(found) < 10_000:
            cursor = self.merges.find({"master_id": {"$in": frontier}}, session=session)
            frontier = [doc["_id"] async for doc in cursor if doc["_id"] not in found]
            found += frontier
        return found

    async def forget_personal_details(
        self, customer_ids: Sequence[str], *, session: Session
    ) -> None:
        """Erasure beyond the ledger: the directory's copy and the events already sent.

        Sent events (and unsent ones: the person is gone) in the outbox carry addresses, IP
        addresses and double opt-in links; they are kept for a week otherwise.
        """
        ids = list(customer_ids)
        await self.directory.update_many(
            {"_id": {"$in": ids}},
            {
                "$set": {"status": CustomerStatus.ERASED.value},
                "$unset": {"primary_email": "", "display_name": ""},
            },
            session=session,
        )
        await self.outbox.delete_many({"body.customer_id": {"$in": ids}}, session=session)


def _state_id(customer_id: str, scope: Scope) -> str:
    return f"{customer_id}/{scope.label}"


def _document(entry: LedgerEntry) -> Document:
    doc = entry.model_dump(mode="python")
    doc["_id"] = doc.pop("id")
    return doc


def _entry(doc: Document) -> LedgerEntry:
    fields = {k: v for k, v in doc.items() if k != "_id"}
    return LedgerEntry.model_validate({**fields, "id": doc["_id"]})

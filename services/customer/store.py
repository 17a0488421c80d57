"""The customer service's MongoDB adapter: customers, the identities they claim, numbering."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.customer.domain.customer import Customer
from services.customer.domain.identities import Identifier

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session

CUSTOMER_NUMBER = "customer_number"
# Customer numbers start at five digits: short enough to read out on the phone.
FIRST_NUMBER = 10_001


class StaleRecord(Exception):
    """The record changed since it was read; the transaction runs again on fresh data."""


class CustomerStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = db["customers"]
        self.identities = db["identities"]
        self.counters = db["counters"]

    async def ensure_indexes(self) -> None:
        await self.customers.create_index("number", unique=True)
        await self.customers.create_index([("emails.address", ASCENDING), ("_id", ASCENDING)])
        await self.identities.create_index("customer_id")
        # The counter exists before any transaction uses it: creating it inside concurrent
        # transactions would need an upsert, whose result the stand-in database may not return.
        if await self.counters.find_one({"_id": CUSTOMER_NUMBER}) is None:
            # Another instance starting at the same time may have created it first.
            with contextlib.suppress(DuplicateKeyError):
                await self.counters.insert_one({"_id": CUSTOMER_NUMBER, "value": FIRST_NUMBER - 1})

    @staticmethod
    def new_id() -> str:
        # Time-ordered, so that paging by id also pages roughly by creation.
        return str(ObjectId())

    async def next_number(self, *, session: Session) -> int:
        counter = await self.counters.find_one_and_update(
            {"_id": CUSTOMER_NUMBER},
            {"$inc": {"value": 1}},
            session=session,
            return_document=True,
        )
        if counter is None:
            raise RuntimeError("customer number counter is missing; ensure_indexes creates it")
        return int(counter["value"])

    async def owners(
        self, identifiers: Iterable[Identifier], *, session: Session
    ) -> dict[str, str]:
        """identifier key -> id of the customer that claimed it."""
        keys = [i.key for i in identifiers]
        return {
            doc["_id"]: doc["customer_id"]
            async for doc in self.identities.find({"_id": {"$in": keys}}, session=session)
        }

    async def claim(
        self, identifiers: Iterable[Identifier], customer_id: str, *, session: Session
    ) -> None:
        """Insert the claims; one already taken raises DuplicateKeyError (the race was lost)."""
        docs = [
            {"_id": i.key, "kind": i.kind.value, "customer_id": customer_id} for i in identifiers
        ]
        if docs:
            await self.identities.insert_many(docs, session=session)

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        doc = await self.customers.find_one({"_id": customer_id}, session=session)
        return _customer(doc) if doc else None

    async def save(self, customer: Customer, *, previous_version: int, session: Session) -> None:
        doc = _document(customer)
        if previous_version == 0:
            await self.customers.insert_one(doc, session=session)
            return
        result = await self.customers.replace_one(
            {"_id": customer.id, "version": previous_version}, doc, session=session
        )
        if result.matched_count != 1:
            raise StaleRecord(customer.id)

    async def find(self, *, email: str | None, after: str | None, limit: int) -> list[Customer]:
        query: dict[str, Any] = {}
        if email is not None:
            query["emails.address"] = email
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.customers.find(query).sort("_id", ASCENDING).limit(limit)
        return [_customer(doc) async for doc in cursor]


def _document(customer: Customer) -> Document:
    doc = customer.model_dump(mode="python")
    doc["_id"] = doc.pop("id")
    return doc


def _customer(doc: Document) -> Customer:
    return Customer.model_validate({**doc, "id": doc["_id"]})

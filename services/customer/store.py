"""The customer service's MongoDB adapter for customers, the identities they claim, numbering."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.customer import paging
from services.customer.documents import document, record
from services.customer.domain.customer import Customer
from services.customer.domain.identities import Identifier
from services.customer.domain.search import search_fields
from shared.contracts.customers import CustomerSort, CustomerStatus

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document, Session

CUSTOMER_NUMBER = "customer_number"
# Customer numbers start at five digits: short enough to read out on the phone.
FIRST_NUMBER = 10_001
SORT_FIELDS = {
    CustomerSort.NUMBER: "number",
    CustomerSort.NAME: "search.sort_name",
    CustomerSort.CREATED_AT: "created_at",
    CustomerSort.UPDATED_AT: "updated_at",
}
# Following tombstones deeper than this means the data is broken, not that a merge was long.
MAX_MERGE_HOPS = 20
SIMILAR_LIMIT = 50


class StaleRecord(Exception):
    """The record changed since it was read; the transaction runs again on fresh data."""


@dataclass(frozen=True)
class CustomerFilter:
    name_pattern: str | None = None
    email: str | None = None
    phone: str | None = None
    number: int | None = None
    channel: str | None = None
    tag: str | None = None
    statuses: tuple[CustomerStatus, ...] = (CustomerStatus.ACTIVE, CustomerStatus.DISABLED)
    extra: dict[str, Any] = field(default_factory=dict)

    def query(self) -> Document:
        query: Document = {"status": {"$in": [s.value for s in self.statuses]}}
        if self.name_pattern is not None:
            query["search.names"] = {"$regex": self.name_pattern}
        if self.email is not None:
            query["emails.address"] = self.email
        if self.phone is not None:
            query["phones"] = self.phone
        if self.number is not None:
            query["number"] = self.number
        if self.channel is not None:
            query["search.channels"] = self.channel.lower()
        if self.tag is not None:
            query["tags"] = self.tag
        for key, value in self.extra.items():
            query[f"extra.{key}"] = value
        return query


class CustomerStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = db["customers"]
        self.identities = db["identities"]
        self.counters = db["counters"]

    async def ensure_indexes(self) -> None:
        customers = self.customers
        await customers.create_index("number", unique=True)
        await customers.create_index([("emails.address", ASCENDING), ("_id", ASCENDING)])
        await customers.create_index("phones")
        await customers.create_index("tags")
        await customers.create_index("search.names")
        await customers.create_index("search.channels")
        await customers.create_index("search.match_keys")
        for sort_field in SORT_FIELDS.values():
            await customers.create_index([(sort_field, ASCENDING), ("_id", ASCENDING)])
        await customers.create_index("status")
        # Tombstones by their master: an export lists the records merged into a customer.
        await customers.create_index("merged_into", sparse=True)
        # Reports: new customers per day.
        await customers.create_index("search.created_day")
        await customers.create_index("stats.order_count")
        await self.identities.create_index("customer_id")
        # The counter exists before any transaction uses it: creating it inside concurrent
        # transactions would need an upsert, whose result the stand-in database may not return.
        if await self.counters.find_one({"_id": CUSTOMER_NUMBER}) is None:
            # Another instance starting at the same time may have created it first.
            with contextlib.suppress(DuplicateKeyError):
                await self.counters.insert_one({"_id": CUSTOMER_NUMBER, "value": FIRST_NUMBER - 1})

    async def ensure_extra_index(self, key: str) -> None:
        """Custom fields are filterable: each defined field's values are indexed."""
        await self.customers.create_index(f"extra.{key}")

    @staticmethod
    def new_id() -> str:
        # Time-ordered, so that paging by id also pages roughly by creation.
        return str(ObjectId())

    async def next_number(self) -> int:
        """The next customer number: unique and rising, not gap-free.

        Drawn outside the caller's transaction on purpose: inside it, every new customer would
        write the same counter document, so concurrent creations would conflict and run one at
        a time (measured: the bench's new-customer throughput halved). A transaction that
        aborts after drawing leaves a gap, as an aborted invoice run would.
        """
        counter = await self.counters.find_one_and_update(
            {"_id": CUSTOMER_NUMBER},
            {"$inc": {"value": 1}},
            return_document=True,
        )
        if counter is None:
            raise RuntimeError("customer number counter is missing; ensure_indexes creates it")
        return int(counter["value"])

    # --- identities -------------------------------------------------------------------------

    async def owners(self, keys: Iterable[str], *, session: Session) -> dict[str, str]:
        """identifier key -> id of the customer that claimed it."""
        return {
            doc["_id"]: doc["customer_id"]
            async for doc in self.identities.find({"_id": {"$in": list(keys)}}, session=session)
        }

    async def claim(
        self, identifiers: Iterable[Identifier], customer_id: str, *, session: Session
    ) -> None:
        """Insert the claims; one already taken raises DuplicateKeyError (the race was lost)."""
        # One insert each: insert_many reports a taken key as a BulkWriteError, which the
        # transaction runner would not recognise as a lost race and retry.
        for identifier in identifiers:
            await self.identities.insert_one(
                {"_id": identifier.key, "kind": identifier.kind.value, "customer_id": customer_id},
                session=session,
            )

    async def release(self, keys: Iterable[str], customer_id: str, *, session: Session) -> None:
        await self.identities.delete_many(
            {"_id": {"$in": list(keys)}, "customer_id": customer_id}, session=session
        )

    async def release_all(self, customer_id: str, *, session: Session) -> int:
        result = await self.identities.delete_many({"customer_id": customer_id}, session=session)
        return result.deleted_count

    async def hand_over_identities(
        self, from_ids: list[str], to_id: str, *, session: Session
    ) -> None:
        await self.identities.update_many(
            {"customer_id": {"$in": from_ids}}, {"$set": {"customer_id": to_id}}, session=session
        )

    async def identity_keys(self, customer_id: str, *, session: Session | None = None) -> list[str]:
        cursor = self.identities.find({"customer_id": customer_id}, session=session)
        return sorted([doc["_id"] async for doc in cursor])

    # --- records ----------------------------------------------------------------------------

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        doc = await self.customers.find_one({"_id": customer_id}, session=session)
        return _customer(doc) if doc else None

    async def resolve(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        """The customer, or the master a merged one went to."""
        customer = await self.get(customer_id, session=session)
        for _ in range(MAX_MERGE_HOPS):
            if customer is None or customer.merged_into is None:
                return customer
            customer = await self.get(customer.merged_into, session=session)
        raise RuntimeError(f"merge chain of {customer_id} is longer than {MAX_MERGE_HOPS}")

    async def absorbed_by(self, master_id: str) -> list[str]:
        """Ids of the records merged into this one, also by way of records merged in later."""
        found: list[str] = []
        masters = [master_id]
        for _ in range(MAX_MERGE_HOPS):
            absorbed = [
                doc["_id"]
                async for doc in self.customers.find(
                    {"merged_into": {"$in": masters}}, projection={"_id": True}
                )
            ]
            if not absorbed:
                return found
            found += absorbed
            masters = absorbed
        raise RuntimeError(f"merge tree of {master_id} is deeper than {MAX_MERGE_HOPS}")

    async def save(self, customer: Customer, *, previous_version: int, session: Session) -> None:
        doc = document(customer, search=search_fields(customer))
        if previous_version == 0:
            await self.customers.insert_one(doc, session=session)
            return
        result = await self.customers.replace_one(
            {"_id": customer.id, "version": previous_version}, doc, session=session
        )
        if result.matched_count != 1:
            raise StaleRecord(customer.id)

    async def find(
        self,
        where: CustomerFilter,
        *,
        sort: CustomerSort,
        descending: bool,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Customer], str | None]:
        sort_field = SORT_FIELDS[sort]
        query = where.query()
        position = paging.after(sort_field, cursor, descending=descending)
        if position:
            query = {"$and": [query, position]}
        found = [
            doc
            async for doc in self.customers.find(query)
            .sort(paging.order(sort_field, descending=descending))
            .limit(limit + 1)
        ]
        page = found[:limit]
        next_cursor = None
        if len(found) > limit:
            last = page[-1]
            next_cursor = paging.encode(paging.dig(last, sort_field), last["_id"])
        return [_customer(doc) for doc in page], next_cursor

    async def similar(self, customer: Customer, *, session: Session) -> list[Customer]:
        """Open records sharing a match key with this one: the duplicate candidates to score."""
        keys = search_fields(customer)["match_keys"]
        if not keys:
            return []
        cursor = self.customers.find(
            {
                "search.match_keys": {"$in": keys},
                "_id": {"$ne": customer.id},
                "status": {"$in": [CustomerStatus.ACTIVE.value, CustomerStatus.DISABLED.value]},
            },
            session=session,
        ).limit(SIMILAR_LIMIT)
        return [_customer(doc) async for doc in cursor]

    async def count_with_extra(self, key: str, *, session: Session) -> int:
        return await self.customers.count_documents(
            {f"extra.{key}": {"$exists": True}}, session=session
        )


def _customer(doc: Document) -> Customer:
    return record(Customer, doc, stored_only=("search",))

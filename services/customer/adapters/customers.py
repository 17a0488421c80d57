"""Customers in MongoDB (the `customers` collection) and their numbering (`counters`)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from bson import ObjectId
from pymongo import ASCENDING, InsertOne, ReplaceOne
from pymongo.errors import DuplicateKeyError

from services.customer.adapters import paging
from services.customer.adapters.bson import from_document, to_document
from services.customer.domain.customer import Customer
from services.customer.domain.duplicates import SIMILAR_LIMIT
from services.customer.domain.merging import MAX_MERGE_HOPS, follow_merges
from services.customer.domain.search import prefix_bounds, search_fields
from services.customer.use_cases.ports import ChangedMeanwhile, CustomerFilter
from shared.contracts.customers import CustomerSort, CustomerStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

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


class MongoCustomers:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers = db["customers"]
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
        # Tombstones by their master: an export lists the customers merged into one.
        await customers.create_index("merged_into", sparse=True)
        # Reports: new customers per day.
        await customers.create_index("search.created_day")
        await customers.create_index("stats.order_count")
        # The counter exists before any transaction uses it: creating it inside concurrent
        # transactions would need an upsert, whose result the stand-in database may not return.
        if await self.counters.find_one({"_id": CUSTOMER_NUMBER}) is None:
            # Another instance starting at the same time may have created it first.
            with contextlib.suppress(DuplicateKeyError):
                await self.counters.insert_one({"_id": CUSTOMER_NUMBER, "value": FIRST_NUMBER - 1})

    async def index_custom_field(self, key: str) -> None:
        await self.customers.create_index(f"extra.{key}")

    def new_id(self) -> str:
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

    async def next_numbers(self, count: int) -> list[int]:
        """`count` numbers with one write (see `next_number`)."""
        counter = await self.counters.find_one_and_update(
            {"_id": CUSTOMER_NUMBER},
            {"$inc": {"value": count}},
            return_document=True,
        )
        if counter is None:
            raise RuntimeError("customer number counter is missing; ensure_indexes creates it")
        last = int(counter["value"])
        return list(range(last - count + 1, last + 1))

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        doc = await self.customers.find_one({"_id": customer_id}, session=session)
        return _customer(doc) if doc else None

    async def get_many(self, customer_ids: list[str], *, session: Session) -> list[Customer]:
        cursor = self.customers.find({"_id": {"$in": customer_ids}}, session=session)
        return [_customer(doc) async for doc in cursor]

    async def resolve(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        customer = await self.get(customer_id, session=session)
        return await follow_merges(customer, lambda i: self.get(i, session=session))

    async def absorbed_by(self, master_id: str) -> list[str]:
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
        doc = to_document(customer, search=search_fields(customer))
        if previous_version == 0:
            await self.customers.insert_one(doc, session=session)
            return
        result = await self.customers.replace_one(
            {"_id": customer.id, "version": previous_version}, doc, session=session
        )
        if result.matched_count != 1:
            raise ChangedMeanwhile(customer.id)

    async def save_many(self, saves: Sequence[tuple[Customer, int]], *, session: Session) -> None:
        writes: list[InsertOne[Document] | ReplaceOne[Document]] = []
        for customer, previous_version in saves:
            doc = to_document(customer, search=search_fields(customer))
            if previous_version == 0:
                writes.append(InsertOne(doc))
            else:
                writes.append(ReplaceOne({"_id": customer.id, "version": previous_version}, doc))
        if not writes:
            return
        result = await self.customers.bulk_write(writes, session=session)
        if result.matched_count != sum(version != 0 for _, version in saves):
            raise ChangedMeanwhile("a customer of the batch")

    async def find(
        self,
        where: CustomerFilter,
        *,
        sort: CustomerSort,
        descending: bool,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Customer], str | None]:
        found, next_cursor = await paging.page(
            self.customers,
            _query(where),
            field=SORT_FIELDS[sort],
            descending=descending,
            cursor=cursor,
            limit=limit,
        )
        return [_customer(doc) for doc in found], next_cursor

    async def similar(self, customer: Customer, *, session: Session) -> list[Customer]:
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

    async def similar_to_any(
        self, customers: Sequence[Customer], *, session: Session
    ) -> list[Customer]:
        keys = sorted({k for c in customers for k in search_fields(c)["match_keys"]})
        if not keys:
            return []
        cursor = self.customers.find(
            {
                "search.match_keys": {"$in": keys},
                "status": {"$in": [CustomerStatus.ACTIVE.value, CustomerStatus.DISABLED.value]},
            },
            session=session,
        ).limit(SIMILAR_LIMIT * (len(customers) + 1))
        return [_customer(doc) async for doc in cursor]

    async def count_with_extra(self, key: str, *, session: Session) -> int:
        return await self.customers.count_documents(
            {f"extra.{key}": {"$exists": True}}, session=session
        )


def _phone_match(phone: str) -> str | Document:
    """A number without an extension finds it with any extension too (a switchboard's number
    is the person's as well); one with an extension finds exactly that one. Stored numbers are
    normalised (`+4930123456`, `+4930123456 ext. 12`), so the range from the number up to its
    extension marker's successor holds exactly those, and the index on `phones` serves it."""
    if " ext. " in phone:
        return phone
    _, end = prefix_bounds(f"{phone} ext.")
    return {"$gte": phone, "$lt": end}


def _query(where: CustomerFilter) -> Document:
    """The narrowest condition leads, statuses come last, and no condition is a regular
    expression or a top-level `$and`/`$or`. SecantusDB serves a query from the index of its
    first condition that an index can serve, and scans the whole collection for those others
    (MongoDB's planner picks the index itself; the order costs it nothing)."""
    query: Document = {}
    if where.number is not None:
        query["number"] = where.number
    if where.email is not None:
        query["emails.address"] = where.email
    if where.phone is not None:
        query["phones"] = _phone_match(where.phone)
    if where.name_prefix is not None:
        low, high = prefix_bounds(where.name_prefix)
        query["search.names"] = {"$gte": low, "$lt": high}
    if where.tag is not None:
        query["tags"] = where.tag
    if where.channel is not None:
        query["search.channels"] = where.channel.lower()
    for key, value in where.extra.items():
        query[f"extra.{key}"] = value
    query["status"] = {"$in": [s.value for s in where.statuses]}
    return query


def _customer(doc: Document) -> Customer:
    return from_document(Customer, doc, stored_only=("search",))

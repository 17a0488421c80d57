"""In-memory fakes of the customer service's ports, and the service wired on them.

cosmicpython's fake repositories and fake unit of work: the use cases run exactly as in the
service (`services.customer.main.use_cases` wires them), against dictionaries instead of
MongoDB. The fake unit of work keeps the guarantees the real one gives a use case: a message
seen before is answered from the inbox and changes nothing; a change that raises leaves the
stores as they were (a rolled-back transaction); events are published only after it succeeded.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast

from pymongo.errors import DuplicateKeyError

from services.customer.domain.channels import channel_of
from services.customer.domain.custom_fields import FieldDefinition
from services.customer.domain.customer import Customer
from services.customer.domain.duplicates import Candidate, Match
from services.customer.domain.history import Activity
from services.customer.domain.identities import Identifier
from services.customer.domain.notes import Note
from services.customer.domain.orders import Order, OrderSummary
from services.customer.domain.search import search_fields
from services.customer.main import Stores, use_cases
from services.customer.use_cases import CustomerUseCases
from services.customer.use_cases.ports import ChangedMeanwhile, CustomerFilter
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customer_reports import NewCustomersRow, TopCustomer
from shared.contracts.customers import CustomerSort, CustomerStatus
from shared.contracts.duplicates import CandidateStatus
from shared.contracts.envelope import Actor, ActorType, Message
from shared.mongo import Document, Session
from shared.unit_of_work import ChangeRunner, Outcome, Together, remembered

R = TypeVar("R")
T = TypeVar("T")
START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Data:
    """Everything the fake stores hold: one object, so a failed change can be undone at once."""

    customers: dict[str, Customer] = field(default_factory=dict)
    identities: dict[str, str] = field(default_factory=dict)
    orders: dict[str, OrderSummary] = field(default_factory=dict)
    orders_without_customer: dict[str, Order] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    fields: dict[str, FieldDefinition] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    indexed: set[str] = field(default_factory=set)
    forgotten: list[str] = field(default_factory=list)


def _page(items: list[T], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """Pages by position; the cursor is as opaque to callers as the real one."""
    start = int(cursor or 0)
    end = start + limit
    return items[start:end], str(end) if end < len(items) else None


class FakeCustomers:
    def __init__(self, data: Data) -> None:
        self.data = data
        self._ids = itertools.count(1)
        self._numbers = itertools.count(10_001)

    def new_id(self) -> str:
        return f"c{next(self._ids):03d}"

    async def next_number(self) -> int:
        return next(self._numbers)

    async def next_numbers(self, count: int) -> list[int]:
        return [next(self._numbers) for _ in range(count)]

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        return self.data.customers.get(customer_id)

    async def get_many(self, customer_ids: list[str], *, session: Session) -> list[Customer]:
        return [self.data.customers[i] for i in customer_ids if i in self.data.customers]

    async def resolve(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        customer = self.data.customers.get(customer_id)
        while customer is not None and customer.merged_into is not None:
            customer = self.data.customers.get(customer.merged_into)
        return customer

    async def absorbed_by(self, master_id: str) -> list[str]:
        found, masters = [], {master_id}
        while absorbed := [c.id for c in self.data.customers.values() if c.merged_into in masters]:
            found += absorbed
            masters = set(absorbed)
        return found

    async def save(self, customer: Customer, *, previous_version: int, session: Session) -> None:
        stored = self.data.customers.get(customer.id)
        if previous_version == 0 and stored is not None:
            raise DuplicateKeyError(f"customer {customer.id} exists")
        if previous_version and (stored is None or stored.version != previous_version):
            raise ChangedMeanwhile(customer.id)
        self.data.customers[customer.id] = customer

    async def save_many(self, saves: Sequence[tuple[Customer, int]], *, session: Session) -> None:
        # A failure part way is undone with the rest of the transaction (FakeUnitOfWork).
        for customer, previous_version in saves:
            await self.save(customer, previous_version=previous_version, session=session)

    async def find(
        self,
        where: CustomerFilter,
        *,
        sort: CustomerSort,
        descending: bool,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Customer], str | None]:
        found = [c for c in self.data.customers.values() if _matches(c, where)]
        found.sort(key=lambda c: (_sort_value(c, sort), c.id), reverse=descending)
        return _page(found, cursor, limit)

    async def similar(self, customer: Customer, *, session: Session) -> list[Customer]:
        keys = set(search_fields(customer)["match_keys"])
        return [
            c
            for c in self.data.customers.values()
            if c.id != customer.id
            and c.status in (CustomerStatus.ACTIVE, CustomerStatus.DISABLED)
            and keys & set(search_fields(c)["match_keys"])
        ]

    async def similar_to_any(
        self, customers: Sequence[Customer], *, session: Session
    ) -> list[Customer]:
        keys = {k for c in customers for k in search_fields(c)["match_keys"]}
        return [
            c
            for c in self.data.customers.values()
            if c.status in (CustomerStatus.ACTIVE, CustomerStatus.DISABLED)
            and keys & set(search_fields(c)["match_keys"])
        ]

    async def count_with_extra(self, key: str, *, session: Session) -> int:
        return sum(key in c.extra for c in self.data.customers.values())

    async def index_custom_field(self, key: str) -> None:
        self.data.indexed.add(key)


def _matches(customer: Customer, where: CustomerFilter) -> bool:
    search = search_fields(customer)
    checks = [
        customer.status in where.statuses,
        where.email is None or where.email in {e.address for e in customer.emails},
        where.phone is None or where.phone in customer.phones,
        where.number is None or where.number == customer.number,
        where.channel is None or where.channel.lower() in search["channels"],
        where.tag is None or where.tag in customer.tags,
        all(customer.extra.get(k) == v for k, v in where.extra.items()),
    ]
    if where.name_prefix is not None:
        prefix = where.name_prefix
        checks.append(any(n.startswith(prefix) for n in search["names"]))
    return all(checks)


def _sort_value(customer: Customer, sort: CustomerSort) -> Any:
    if sort is CustomerSort.NAME:
        return search_fields(customer)["sort_name"] or ""
    return {
        CustomerSort.NUMBER: customer.number,
        CustomerSort.CREATED_AT: customer.created_at,
        CustomerSort.UPDATED_AT: customer.updated_at,
    }[sort]


class FakeIdentities:
    def __init__(self, data: Data) -> None:
        self.data = data

    async def owners(self, keys: Iterable[str], *, session: Session) -> dict[str, str]:
        return {k: self.data.identities[k] for k in keys if k in self.data.identities}

    async def claim(
        self, identifiers: Iterable[Identifier], customer_id: str, *, session: Session
    ) -> None:
        for identifier in identifiers:
            if identifier.key in self.data.identities:
                raise DuplicateKeyError(f"{identifier.key} is claimed")
            self.data.identities[identifier.key] = customer_id

    async def claim_many(
        self, claims: Sequence[tuple[Identifier, str]], *, session: Session
    ) -> None:
        for identifier, customer_id in claims:
            await self.claim([identifier], customer_id, session=session)

    async def release(self, keys: Iterable[str], customer_id: str, *, session: Session) -> None:
        for key in keys:
            if self.data.identities.get(key) == customer_id:
                del self.data.identities[key]

    async def release_all(self, customer_id: str, *, session: Session) -> int:
        keys = await self.keys_of(customer_id)
        await self.release(keys, customer_id, session=session)
        return len(keys)

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> None:
        for key, owner in list(self.data.identities.items()):
            if owner in from_ids:
                self.data.identities[key] = to_id

    async def keys_of(self, customer_id: str, *, session: Session | None = None) -> list[str]:
        return sorted(k for k, owner in self.data.identities.items() if owner == customer_id)


class FakeOrders:
    def __init__(self, data: Data) -> None:
        self.data = data

    async def get(self, key: str, *, session: Session) -> OrderSummary | None:
        return self.data.orders.get(key)

    async def get_many(self, keys: list[str], *, session: Session) -> list[OrderSummary]:
        return [self.data.orders[k] for k in keys if k in self.data.orders]

    async def buyer_of_any(self, keys: list[str], *, session: Session) -> str | None:
        return next((self.data.orders[k].customer_id for k in keys if k in self.data.orders), None)

    async def save(
        self, summary: OrderSummary, *, replaces: OrderSummary | None, session: Session
    ) -> None:
        stored = self.data.orders.get(summary.id)
        if replaces is None and stored is not None:
            raise DuplicateKeyError(f"order {summary.id} exists")
        if replaces is not None and (stored is None or stored.updated_at != replaces.updated_at):
            raise ChangedMeanwhile(summary.id)
        self.data.orders[summary.id] = summary

    async def save_many(
        self, saves: Sequence[tuple[OrderSummary, OrderSummary | None]], *, session: Session
    ) -> None:
        for summary, replaces in saves:
            await self.save(summary, replaces=replaces, session=session)

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int:
        moved = [o for o in self.data.orders.values() if o.customer_id in from_ids]
        for summary in moved:
            self.data.orders[summary.id] = summary.model_copy(update={"customer_id": to_id})
        return len(moved)

    async def keep_without_customer(self, order: Order, *, at: datetime, session: Session) -> None:
        stored = self.data.orders_without_customer.get(order.key)
        if stored is None or stored.updated_at <= order.updated_at:
            self.data.orders_without_customer[order.key] = order

    async def forget_without_customer(self, key: str, *, session: Session) -> None:
        self.data.orders_without_customer.pop(key, None)

    async def forget_many_without_customer(self, keys: list[str], *, session: Session) -> None:
        for key in keys:
            self.data.orders_without_customer.pop(key, None)

    async def count_without_customer(self) -> int:
        return len(self.data.orders_without_customer)

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[OrderSummary], str | None]:
        mine = [o for o in self.data.orders.values() if o.customer_id == customer_id]
        mine.sort(key=lambda o: (o.placed_at, o.id), reverse=True)
        return _page(mine, cursor, limit)


class FakeHistory:
    def __init__(self, data: Data) -> None:
        self.data = data

    async def add(self, activities: Iterable[Activity], *, session: Session) -> None:
        for activity in activities:
            self.data.activities[activity.id] = activity

    async def get(self, activity_id: str) -> Activity | None:
        return self.data.activities.get(activity_id)

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> None:
        for activity in list(self.data.activities.values()):
            if activity.customer_id in from_ids:
                self.data.activities[activity.id] = activity.model_copy(
                    update={
                        "customer_id": to_id,
                        "recorded_on": activity.recorded_on or activity.customer_id,
                    }
                )

    async def scrub(self, customer_id: str, *, session: Session) -> int:
        theirs = [a for a in self.data.activities.values() if a.customer_id == customer_id]
        for activity in theirs:
            changes = tuple(
                c.model_copy(
                    update={
                        "before": None if c.before is None else "[erased]",
                        "after": None if c.after is None else "[erased]",
                    }
                )
                for c in activity.changes
            )
            details = {"erased": True} if activity.details else {}
            self.data.activities[activity.id] = activity.model_copy(
                update={"changes": changes, "details": details}
            )
        return len(theirs)

    async def page(
        self,
        customer_id: str,
        *,
        actor_type: ActorType | None,
        kinds: tuple[ActivityKind, ...],
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Activity], str | None]:
        found = [
            a
            for a in self.data.activities.values()
            if a.customer_id == customer_id
            and (actor_type is None or a.actor.type is actor_type)
            and (not kinds or a.kind in kinds)
        ]
        found.sort(key=lambda a: a.id, reverse=True)
        return _page(found, cursor, limit)

    def of(self, customer_id: str) -> list[Activity]:
        """A customer's activities, oldest first (for assertions)."""
        return sorted(
            (a for a in self.data.activities.values() if a.customer_id == customer_id),
            key=lambda a: a.id,
        )


class FakeNotes:
    def __init__(self, data: Data) -> None:
        self.data = data
        self._ids = itertools.count(1)

    def new_id(self) -> str:
        return f"n{next(self._ids):03d}"

    async def get(
        self, customer_id: str, note_id: str, *, session: Session | None = None
    ) -> Note | None:
        note = self.data.notes.get(note_id)
        return note if note is not None and note.customer_id == customer_id else None

    async def put(self, note: Note, *, session: Session) -> None:
        self.data.notes[note.id] = note

    async def remove(self, note_id: str, *, session: Session) -> None:
        self.data.notes.pop(note_id, None)

    async def remove_all(self, customer_id: str, *, session: Session) -> int:
        theirs = [n.id for n in self.data.notes.values() if n.customer_id == customer_id]
        for note_id in theirs:
            del self.data.notes[note_id]
        return len(theirs)

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int:
        moved = [n for n in self.data.notes.values() if n.customer_id in from_ids]
        for note in moved:
            self.data.notes[note.id] = note.model_copy(update={"customer_id": to_id})
        return len(moved)

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Note], str | None]:
        theirs = [n for n in self.data.notes.values() if n.customer_id == customer_id]
        theirs.sort(key=lambda n: (n.pinned, n.id), reverse=True)
        return _page(theirs, cursor, limit)


class FakeCustomFields:
    def __init__(self, data: Data) -> None:
        self.data = data

    async def all(self, *, session: Session | None = None) -> dict[str, FieldDefinition]:
        return dict(sorted(self.data.fields.items()))

    async def get(self, key: str, *, session: Session | None = None) -> FieldDefinition | None:
        return self.data.fields.get(key)

    async def add(self, definition: FieldDefinition, *, session: Session) -> None:
        if definition.key in self.data.fields:
            raise DuplicateKeyError(f"custom field {definition.key} exists")
        self.data.fields[definition.key] = definition

    async def replace(
        self, definition: FieldDefinition, *, previous_version: int, session: Session
    ) -> None:
        stored = self.data.fields.get(definition.key)
        if stored is None or stored.version != previous_version:
            raise ChangedMeanwhile(definition.key)
        self.data.fields[definition.key] = definition

    async def remove(self, key: str, *, session: Session) -> None:
        self.data.fields.pop(key, None)


class FakeDuplicates:
    def __init__(self, data: Data) -> None:
        self.data = data

    async def propose(
        self, matches: Iterable[Match], *, now: datetime, session: Session
    ) -> list[str]:
        fresh = [m for m in matches if m.id not in self.data.candidates]
        for match in fresh:
            self.data.candidates[match.id] = Candidate.proposed(match, now=now)
        return [m.id for m in fresh]

    async def get(self, candidate_id: str, *, session: Session | None = None) -> Candidate | None:
        return self.data.candidates.get(candidate_id)

    async def decide(
        self,
        candidate_id: str,
        status: CandidateStatus,
        *,
        actor: Actor,
        now: datetime,
        session: Session,
    ) -> None:
        candidate = self.data.candidates[candidate_id]
        self.data.candidates[candidate_id] = candidate.model_copy(
            update={"status": status, "decided_at": now, "decided_by": actor}
        )

    async def close_involving(
        self, customer_ids: list[str], *, actor: Actor, now: datetime, session: Session
    ) -> None:
        for candidate in list(self.data.candidates.values()):
            involved = set(candidate.customer_ids) & set(customer_ids)
            if involved and candidate.status is CandidateStatus.OPEN:
                await self.decide(
                    candidate.id, CandidateStatus.OBSOLETE, actor=actor, now=now, session=session
                )

    async def forget(self, customer_id: str, *, session: Session) -> None:
        for candidate in list(self.data.candidates.values()):
            if customer_id in candidate.customer_ids:
                del self.data.candidates[candidate.id]

    async def page(
        self, *, status: CandidateStatus, customer_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Candidate], str | None]:
        found = [
            c
            for c in self.data.candidates.values()
            if c.status is status and (customer_id is None or customer_id in c.customer_ids)
        ]
        found.sort(key=lambda c: (c.score, c.id), reverse=True)
        return _page(found, cursor, limit)

    async def count(self, status: CandidateStatus) -> int:
        return sum(c.status is status for c in self.data.candidates.values())


class FakeStatistics:
    def __init__(self, data: Data) -> None:
        self.data = data

    def _counted(self) -> list[Customer]:
        return [c for c in self.data.customers.values() if c.status is not CustomerStatus.MERGED]

    async def new_customers(self, start: date, end: date) -> list[NewCustomersRow]:
        counts: dict[tuple[date, str], int] = {}
        for customer in self._counted():
            day = customer.created_at.date()
            if start <= day <= end:
                key = (day, customer.origin_channel)
                counts[key] = counts.get(key, 0) + 1
        # In no particular order, as the database's grouping gives them.
        return [
            NewCustomersRow(day=d, channel=c, count=n) for (d, c), n in reversed(counts.items())
        ]

    async def with_orders(self, at_least: int) -> int:
        return sum(c.stats.order_count >= at_least for c in self._counted())

    async def top_by_revenue(self, currency: str, limit: int) -> list[TopCustomer]:
        paying = [c for c in self._counted() if currency in c.stats.revenue]
        paying.sort(key=lambda c: (-c.stats.revenue[currency], c.id))
        return [
            TopCustomer(
                customer_id=c.id,
                customer_number=c.number,
                display_name=c.display_name,
                revenue=c.stats.revenue.get(currency, Decimal(0)),
                order_count=c.stats.order_count,
            )
            for c in paying[:limit]
        ]


class FakeSentEvents:
    def __init__(self, data: Data) -> None:
        self.data = data

    async def forget_sent(self, customer_id: str, *, session: Session) -> int:
        self.data.forgotten.append(customer_id)
        return 0


class FakeVault:
    """Not encryption: enough to see that the use case sealed the IBAN and bound it."""

    def encrypt(self, iban: str, *, account_id: str) -> str:
        return f"sealed:{account_id}:{hashlib.sha256(iban.encode()).hexdigest()[:12]}"

    def fingerprint(self, iban: str) -> str:
        return hashlib.sha256(iban.encode()).hexdigest()


@dataclass
class FakeUnitOfWork:
    data: Data
    inbox: dict[str, Any] = field(default_factory=dict)
    published: list[Message] = field(default_factory=list)
    # The size of each batch run together.
    batches: list[int] = field(default_factory=list)

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]] = remembered,
    ) -> R:
        session = cast("Session", None)
        if message.message_id in self.inbox:
            return await repeated(self.inbox[message.message_id], session)
        before = copy.deepcopy(self.data.__dict__)
        try:
            outcome = await change(session)
        except BaseException:
            self.data.__dict__.update(before)
            raise
        self.inbox[message.message_id] = {"result": outcome.remembered}
        self.published += outcome.events
        return outcome.result

    async def run_together(
        self,
        messages: Sequence[Message],
        body: Callable[[ChangeRunner, Session], Awaitable[R]],
    ) -> R:
        """The batch's changes all kept, or all undone (one transaction)."""
        session = cast("Session", None)
        together = Together(session, dict(self.inbox))
        before = copy.deepcopy(self.data.__dict__)
        try:
            result = await body(together, session)
        except BaseException:
            self.data.__dict__.update(before)
            raise
        for message, remembered_result in together.processed:
            self.inbox[message.message_id] = {"result": remembered_result}
        self.published += together.events
        self.batches.append(len(messages))
        return result

    def sent(self, message_type: type[Message]) -> list[Any]:
        """The published messages of this type, oldest first."""
        return [m for m in self.published if isinstance(m, message_type)]


@dataclass
class Clock:
    """Each reading is a microsecond after the one before, so that activities sort as written;
    `now` is the latest reading."""

    now: datetime = START

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def advance(self, minutes: int = 1) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


@dataclass
class FakeService:
    """The customer service's use cases on in-memory stores, with handles to look inside."""

    data: Data
    unit: FakeUnitOfWork
    clock: Clock
    stores: Stores
    cases: CustomerUseCases

    @property
    def history(self) -> FakeHistory:
        return cast("FakeHistory", self.stores.history)

    def customer(self, customer_id: str) -> Customer:
        return self.data.customers[customer_id]

    def channels_of(self, customer_id: str) -> set[str]:
        return {channel_of(c) for c in self.customer(customer_id).channels}


def fake_service() -> FakeService:
    data = Data()
    stores = Stores(
        customers=FakeCustomers(data),
        identities=FakeIdentities(data),
        orders=FakeOrders(data),
        history=FakeHistory(data),
        notes=FakeNotes(data),
        fields=FakeCustomFields(data),
        duplicates=FakeDuplicates(data),
        statistics=FakeStatistics(data),
        sent_events=FakeSentEvents(data),
    )
    unit, clock = FakeUnitOfWork(data), Clock()
    cases = use_cases(stores, unit, clock=clock, vault=FakeVault(), default_region="DE")
    return FakeService(data, unit, clock, stores, cases)


ACTOR = Actor(type=ActorType.SUPPORTER, id="sam")

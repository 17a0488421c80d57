"""What the use cases need from the world outside the domain, as protocols.

The MongoDB adapters (`services.customer.adapters`) implement them for the service; the unit
tests' in-memory fakes implement them too, so every use case runs without a database. Stores
take the transaction's `session` where a write must be atomic with the rest of the change; a
read outside a change passes none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.contracts.customers import CustomerStatus

if TYPE_CHECKING:
    from services.customer.domain.custom_fields import FieldDefinition
    from services.customer.domain.customer import Customer
    from services.customer.domain.duplicates import Candidate, Match
    from services.customer.domain.history import Activity
    from services.customer.domain.identities import Identifier
    from services.customer.domain.notes import Note
    from services.customer.domain.orders import Order, OrderSummary
    from shared.contracts.customer_history import ActivityKind
    from shared.contracts.customer_reports import NewCustomersRow, TopCustomer
    from shared.contracts.customers import CustomerSort
    from shared.contracts.duplicates import CandidateStatus
    from shared.contracts.envelope import Actor, ActorType
    from shared.mongo import Session

# What a change touched, by name (`customer_id`, `address_id`, ...): enough to read the result
# for a requester, and kept with the inbox entry so a request sent again gets the same answer.
Ref = dict[str, str]
# The current time (UTC); injected, so that tests can set it.
Clock = Callable[[], datetime]
# A short random id for parts of a customer (addresses, bank accounts, activities).
NewId = Callable[[], str]


def reference(**ids: object) -> Ref:
    """A `Ref` of the ids given, leaving out those that are None."""
    return {k: str(v) for k, v in ids.items() if v is not None}


class ChangedMeanwhile(Exception):
    """What a change read was changed by another before the write: the change runs again."""


@dataclass(frozen=True)
class CustomerFilter:
    """Which customers a search wants; every criterion given must hold."""

    # What one of the folded names starts with (domain.search.name_prefix).
    name_prefix: str | None = None
    email: str | None = None
    phone: str | None = None
    number: int | None = None
    # A channel (`shopify`) or one of its shops (`shopify:demo.myshopify.com`).
    channel: str | None = None
    tag: str | None = None
    statuses: tuple[CustomerStatus, ...] = (CustomerStatus.ACTIVE, CustomerStatus.DISABLED)
    extra: dict[str, Any] = field(default_factory=dict)


class Customers(Protocol):
    def new_id(self) -> str: ...

    async def next_number(self) -> int:
        """The next customer number (drawn outside any transaction: rising, not gap-free)."""

    async def next_numbers(self, count: int) -> list[int]:
        """`count` customer numbers at once, rising (a batch's new customers)."""

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None: ...

    async def get_many(self, customer_ids: list[str], *, session: Session) -> list[Customer]:
        """The customers of these ids that exist (a batch reads them at once)."""

    async def resolve(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        """The customer, or the master a merged one went to."""

    async def absorbed_by(self, master_id: str) -> list[str]:
        """Ids of the customers merged into this one, also by way of later merges."""

    async def save(self, customer: Customer, *, previous_version: int, session: Session) -> None:
        """Insert (previous version 0) or replace; raises `ChangedMeanwhile` on a lost race."""

    async def save_many(self, saves: Sequence[tuple[Customer, int]], *, session: Session) -> None:
        """`save` of each (customer, previous version) in one write; raises `ChangedMeanwhile`
        if any of them lost a race."""

    async def find(
        self,
        where: CustomerFilter,
        *,
        sort: CustomerSort,
        descending: bool,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Customer], str | None]: ...

    async def similar(self, customer: Customer, *, session: Session) -> list[Customer]:
        """Open customers sharing a match key with this one (duplicate candidates to score)."""

    async def similar_to_any(
        self, customers: Sequence[Customer], *, session: Session
    ) -> list[Customer]:
        """Open customers sharing a match key with any of these (a batch's candidates, read
        at once; each customer's are those sharing one of its own keys)."""

    async def count_with_extra(self, key: str, *, session: Session) -> int: ...

    async def index_custom_field(self, key: str) -> None:
        """Make filtering on a custom field fast (not transactional: after the change)."""


class Identities(Protocol):
    """Identifiers claimed by customers: the first to claim one owns it."""

    async def owners(self, keys: Iterable[str], *, session: Session) -> dict[str, str]:
        """identifier key -> id of the customer that claimed it."""

    async def claim(
        self, identifiers: Iterable[Identifier], customer_id: str, *, session: Session
    ) -> None:
        """One already taken aborts the change (it runs again and then sees the owner)."""

    async def claim_many(
        self, claims: Sequence[tuple[Identifier, str]], *, session: Session
    ) -> None:
        """Each (identifier, customer id) claimed, in one write; as `claim`, one taken already
        aborts the change, which runs again and then finds the winner as the owner."""

    async def release(self, keys: Iterable[str], customer_id: str, *, session: Session) -> None: ...

    async def release_all(self, customer_id: str, *, session: Session) -> int: ...

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> None: ...

    async def keys_of(self, customer_id: str, *, session: Session | None = None) -> list[str]: ...


class Orders(Protocol):
    """Order summaries per customer."""

    async def get(self, key: str, *, session: Session) -> OrderSummary | None: ...

    async def get_many(self, keys: list[str], *, session: Session) -> list[OrderSummary]:
        """The summaries of these orders that exist (a batch reads them at once)."""

    async def buyer_of_any(self, keys: list[str], *, session: Session) -> str | None: ...

    async def save(
        self, summary: OrderSummary, *, replaces: OrderSummary | None, session: Session
    ) -> None:
        """Raises `ChangedMeanwhile` if `replaces` is no longer the stored state."""

    async def save_many(
        self, saves: Sequence[tuple[OrderSummary, OrderSummary | None]], *, session: Session
    ) -> None:
        """`save` of each (summary, the state it replaces) in one write."""

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int: ...

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[OrderSummary], str | None]: ...

    async def keep_without_customer(self, order: Order, *, at: datetime, session: Session) -> None:
        """Keep an order that names nobody (its latest state), apart from the customers'."""

    async def forget_without_customer(self, key: str, *, session: Session) -> None:
        """The order named its buyer since: it is a customer's order now."""

    async def forget_many_without_customer(self, keys: list[str], *, session: Session) -> None:
        """`forget_without_customer` of each, in one write."""

    async def count_without_customer(self) -> int: ...


class History(Protocol):
    """Activities of every customer; written only through `use_cases.changes.Changes`."""

    async def add(self, activities: Iterable[Activity], *, session: Session) -> None: ...

    async def get(self, activity_id: str) -> Activity | None: ...

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> None: ...

    async def scrub(self, customer_id: str, *, session: Session) -> int:
        """Keep who changed which field when; drop the values (erasure)."""

    async def page(
        self,
        customer_id: str,
        *,
        actor_type: ActorType | None,
        kinds: tuple[ActivityKind, ...],
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Activity], str | None]: ...


class Notes(Protocol):
    def new_id(self) -> str:
        """A new note's id: notes list newest first by id."""

    async def get(
        self, customer_id: str, note_id: str, *, session: Session | None = None
    ) -> Note | None: ...

    async def put(self, note: Note, *, session: Session) -> None: ...

    async def remove(self, note_id: str, *, session: Session) -> None: ...

    async def remove_all(self, customer_id: str, *, session: Session) -> int: ...

    async def hand_over(self, from_ids: list[str], to_id: str, *, session: Session) -> int: ...

    async def page(
        self, customer_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Note], str | None]: ...


class CustomFields(Protocol):
    """Custom field definitions: read on every write that needs them, so a new one is in force
    at once in every instance."""

    async def all(self, *, session: Session | None = None) -> dict[str, FieldDefinition]: ...

    async def get(self, key: str, *, session: Session | None = None) -> FieldDefinition | None: ...

    async def add(self, definition: FieldDefinition, *, session: Session) -> None:
        """A key defined already aborts the change (it runs again and then sees it)."""

    async def replace(
        self, definition: FieldDefinition, *, previous_version: int, session: Session
    ) -> None: ...

    async def remove(self, key: str, *, session: Session) -> None: ...


class Duplicates(Protocol):
    """Duplicate candidates: matches proposed to people, and what they decided."""

    async def propose(
        self, matches: Iterable[Match], *, now: datetime, session: Session
    ) -> list[str]:
        """Store the matches not proposed before (a dismissed pair stays dismissed)."""

    async def get(
        self, candidate_id: str, *, session: Session | None = None
    ) -> Candidate | None: ...

    async def decide(
        self,
        candidate_id: str,
        status: CandidateStatus,
        *,
        actor: Actor,
        now: datetime,
        session: Session,
    ) -> None: ...

    async def close_involving(
        self, customer_ids: list[str], *, actor: Actor, now: datetime, session: Session
    ) -> None: ...

    async def forget(self, customer_id: str, *, session: Session) -> None: ...

    async def page(
        self, *, status: CandidateStatus, customer_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Candidate], str | None]: ...

    async def count(self, status: CandidateStatus) -> int: ...


class Statistics(Protocol):
    """Figures over all customers for reports; a merged customer is never counted."""

    async def new_customers(self, start: date, end: date) -> list[NewCustomersRow]: ...

    async def with_orders(self, at_least: int) -> int: ...

    async def top_by_revenue(self, currency: str, limit: int) -> list[TopCustomer]: ...


class SentEvents(Protocol):
    """The outbox's events that were sent already."""

    async def forget_sent(self, customer_id: str, *, session: Session) -> int:
        """Erasure: sent events carried the person's name and address."""


class Vault(Protocol):
    """Bank data at rest (the IBAN is never stored in clear)."""

    def encrypt(self, iban: str, *, account_id: str) -> str: ...

    def fingerprint(self, iban: str) -> str: ...

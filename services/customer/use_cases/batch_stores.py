"""The stores as the orders of one batch see them: read once ahead, written once at the end.

Every order of a batch asks who owns its identifiers, whether its order is known, and for the
customer it belongs to, one query each. Inside the batch's transaction the database answers
them all from one snapshot, so they are read up front, in one query per collection, and each
order's reads answered from memory. Its writes are kept in memory too, where the orders after
it in the batch read them (two orders of one new buyer make one customer), and `flush` writes
them at the end of the batch, in one write per collection: the claims (a taken identifier fails
the transaction there, which runs again and then reads the winner as the owner), the order
summaries, the customers, the activities. A customer or summary changed by several orders of
the batch is written once, in its last state, checked against the state the batch read. What
was not read up front is read through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from services.customer.domain.duplicates import SIMILAR_LIMIT, find_matches, match_keys
from services.customer.domain.identities import identifiers_of
from services.customer.domain.merging import follow_merges
from services.customer.use_cases.changes import Changes
from services.customer.use_cases.orders import order_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from services.customer.domain.customer import Customer
    from services.customer.domain.history import Activity
    from services.customer.domain.identities import Identifier
    from services.customer.domain.orders import Order, OrderSummary
    from services.customer.use_cases.ports import Customers, History, Identities, Orders
    from shared.contracts.orders import UpsertCustomerFromOrder
    from shared.mongo import Session


class _Delegating:
    """What the batch does not read ahead goes to the store itself."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class BatchIdentities(_Delegating):
    def __init__(self, store: Identities, owners: dict[str, str | None]) -> None:
        super().__init__(store)
        self._owner: dict[str, str | None] = owners
        self._claims: list[tuple[Identifier, str]] = []

    async def owners(self, keys: Iterable[str], *, session: Session) -> dict[str, str]:
        keys = list(keys)
        unread = [k for k in keys if k not in self._owner]
        if unread:
            found = await cast("Identities", self._store).owners(unread, session=session)
            self._owner |= {k: found.get(k) for k in unread}
        return {k: owner for k in keys if (owner := self._owner[k]) is not None}

    async def claim(
        self, identifiers: Iterable[Identifier], customer_id: str, *, session: Session
    ) -> None:
        # Only identifiers nobody owns are claimed (`owners` says which, the batch's included).
        for identifier in identifiers:
            self._owner[identifier.key] = customer_id
            self._claims.append((identifier, customer_id))

    async def flush(self, *, session: Session) -> None:
        await cast("Identities", self._store).claim_many(self._claims, session=session)
        self._claims = []


class BatchOrders(_Delegating):
    def __init__(self, store: Orders, known: dict[str, OrderSummary | None]) -> None:
        super().__init__(store)
        self._known = known
        # Summary id -> (its last state, the stored state the first save of the batch replaces).
        self._saves: dict[str, tuple[OrderSummary, OrderSummary | None]] = {}
        self._forgotten: list[str] = []

    async def get(self, key: str, *, session: Session) -> OrderSummary | None:
        if key not in self._known:
            self._known[key] = await cast("Orders", self._store).get(key, session=session)
        return self._known[key]

    async def save(
        self, summary: OrderSummary, *, replaces: OrderSummary | None, session: Session
    ) -> None:
        stored = self._saves[summary.id][1] if summary.id in self._saves else replaces
        self._saves[summary.id] = (summary, stored)
        self._known[summary.id] = summary

    async def forget_without_customer(self, key: str, *, session: Session) -> None:
        self._forgotten.append(key)

    async def keep_without_customer(self, order: Order, *, at: datetime, session: Session) -> None:
        store = cast("Orders", self._store)
        if order.key in self._forgotten:
            # Forgotten earlier in the batch: gone before this state is kept.
            self._forgotten = [k for k in self._forgotten if k != order.key]
            await store.forget_without_customer(order.key, session=session)
        await store.keep_without_customer(order, at=at, session=session)

    async def flush(self, *, session: Session) -> None:
        store = cast("Orders", self._store)
        await store.save_many(list(self._saves.values()), session=session)
        await store.forget_many_without_customer(
            list(dict.fromkeys(self._forgotten)), session=session
        )
        self._saves, self._forgotten = {}, []


class BatchCustomers(_Delegating):
    def __init__(
        self, store: Customers, known: dict[str, Customer | None], *, expected_new: int = 0
    ) -> None:
        super().__init__(store)
        self._known = known
        # Customer id -> (its last state, the stored version the first save replaces).
        self._saves: dict[str, tuple[Customer, int]] = {}
        self._expected_new = expected_new
        self._numbers: list[int] = []

    async def next_number(self) -> int:
        store = cast("Customers", self._store)
        if not self._numbers and self._expected_new:
            # The numbers of the new customers the batch expects, drawn with one write.
            self._numbers = await store.next_numbers(self._expected_new)
            self._expected_new = 0
        return self._numbers.pop(0) if self._numbers else await store.next_number()

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        if customer_id not in self._known:
            store = cast("Customers", self._store)
            self._known[customer_id] = await store.get(customer_id, session=session)
        return self._known[customer_id]

    async def resolve(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        customer = await self.get(customer_id, session=session)
        return await follow_merges(customer, lambda i: self.get(i, session=session))

    async def save(self, customer: Customer, *, previous_version: int, session: Session) -> None:
        if customer.id in self._saves:
            previous_version = self._saves[customer.id][1]
        self._saves[customer.id] = (customer, previous_version)
        self._known[customer.id] = customer

    async def flush(self, *, session: Session) -> None:
        store = cast("Customers", self._store)
        await store.save_many(list(self._saves.values()), session=session)
        self._saves = {}


class BatchHistory(_Delegating):
    """Activities are only written, never read back, by an order: all of them at the end."""

    def __init__(self, store: History) -> None:
        super().__init__(store)
        self.added: list[Activity] = []

    async def add(self, activities: Iterable[Activity], *, session: Session) -> None:
        self.added += activities

    async def flush(self, *, session: Session) -> None:
        await cast("History", self._store).add(self.added, session=session)
        self.added = []


class BatchChanges(Changes):
    """`Changes` whose duplicate check runs once, at the end of the batch, for every customer
    whose change asked for one: against the stored customers and the batch's own (written by
    then), in their last state, with one read for the lot."""

    def __init__(self, changes: Changes) -> None:
        super().__init__(changes.customers, changes.history, changes.duplicates, changes.new_id)
        self._to_check: dict[str, datetime] = {}

    async def propose_duplicates(
        self, customer: Customer, *, at: datetime, session: Session
    ) -> None:
        self._to_check[customer.id] = at

    async def flush(self, *, session: Session) -> None:
        if not self._to_check:
            return
        checked = [c for i in self._to_check if (c := await self.customers.get(i, session=session))]
        found = await self.customers.similar_to_any(checked, session=session)
        keys_of = {c.id: set(match_keys(c)) for c in found}
        matches = []
        for customer in checked:
            keys = set(match_keys(customer))
            others = [c for c in found if c.id != customer.id and keys & keys_of[c.id]]
            matches += find_matches(customer, others[:SIMILAR_LIMIT])
        at = max(self._to_check.values())
        await self.duplicates.propose(matches, now=at, session=session)
        self._to_check = {}


@dataclass(frozen=True)
class ReadAhead:
    owners: dict[str, str | None]
    orders: dict[str, OrderSummary | None]
    customers: dict[str, Customer | None]
    # How many new customers the batch will likely make (see `_new_buyers`).
    new_buyers: int


async def read_ahead(
    commands: Sequence[UpsertCustomerFromOrder],
    *,
    identities: Identities,
    orders: Orders,
    customers: Customers,
    session: Session,
) -> ReadAhead:
    """Owners of the batch's identifiers, its known orders, and their customers: one query each."""
    placed = [(order_of(c.order), c.order.names_its_buyer) for c in commands]
    identified = [(order, {i.key for i in identifiers_of(order)}) for order, _ in placed]
    keys = list(dict.fromkeys(k for _, order_keys in identified for k in sorted(order_keys)))
    found = await identities.owners(keys, session=session)
    owners: dict[str, str | None] = {k: found.get(k) for k in keys}
    order_keys = list(dict.fromkeys(order.key for order, _ in placed))
    known_orders = await _orders(orders, order_keys, session)
    buyer_ids = {o for o in owners.values() if o} | {
        s.customer_id for s in known_orders.values() if s
    }
    named = [pair for pair, (_, names) in zip(identified, placed, strict=True) if names]
    return ReadAhead(
        owners,
        known_orders,
        await known_customers(customers, sorted(buyer_ids), session),
        _new_buyers(named, owners, known_orders),
    )


def _new_buyers(
    identified: list[tuple[Order, set[str]]],
    owners: dict[str, str | None],
    known_orders: dict[str, OrderSummary | None],
) -> int:
    """Unknown orders whose identifiers nobody owns, those sharing an identifier counted once.
    Only an estimate, to draw the customer numbers at once: too many leaves gaps in the numbers
    (allowed: they are rising, not gap-free), too few draws the rest one by one."""
    seen: set[str] = set()
    count = 0
    for order, keys in identified:
        if known_orders.get(order.key) or any(owners.get(k) for k in keys):
            continue
        count += not keys & seen
        seen |= keys
    return count


async def _orders(
    orders: Orders, keys: list[str], session: Session
) -> dict[str, OrderSummary | None]:
    found = {s.id: s for s in await orders.get_many(keys, session=session)}
    return {k: found.get(k) for k in keys}


async def known_customers(
    customers: Customers, ids: list[str], session: Session
) -> dict[str, Customer | None]:
    """The customers of these ids, None for those unknown, in one read (for `BatchCustomers`)."""
    found = {c.id: c for c in await customers.get_many(ids, session=session)}
    return {i: found.get(i) for i in ids}

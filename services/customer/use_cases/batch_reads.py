"""What the orders of one batch read, read once for the lot: fewer round trips per order.

Every order of a batch asks who owns its identifiers, whether its order is known, and for the
customer it belongs to, one query each. Inside the batch's transaction the database answers
them all from one snapshot, so they can as well be read up front, in one query per collection,
and each order's reads answered from memory. The writes still go to the database as they are
made (a lost race fails where it did) and are remembered, so an order sees what the orders
before it in the batch wrote, as it would in the database. What was not read up front is read
through. The activities of the batch are written once, at its end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from services.customer.domain.identities import identifiers_of
from services.customer.use_cases.orders import order_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from services.customer.domain.customer import Customer
    from services.customer.domain.history import Activity
    from services.customer.domain.identities import Identifier
    from services.customer.domain.orders import OrderSummary
    from services.customer.use_cases.ports import Customers, History, Identities, Orders
    from shared.contracts.orders import UpsertCustomerFromOrder
    from shared.mongo import Session

# Following tombstones deeper than this means the data is broken (as in the adapter).
MAX_MERGE_HOPS = 20


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
        identifiers = list(identifiers)
        await cast("Identities", self._store).claim(identifiers, customer_id, session=session)
        self._owner |= {i.key: customer_id for i in identifiers}


class BatchOrders(_Delegating):
    def __init__(self, store: Orders, known: dict[str, OrderSummary | None]) -> None:
        super().__init__(store)
        self._known = known

    async def get(self, key: str, *, session: Session) -> OrderSummary | None:
        if key not in self._known:
            self._known[key] = await cast("Orders", self._store).get(key, session=session)
        return self._known[key]

    async def save(
        self, summary: OrderSummary, *, replaces: OrderSummary | None, session: Session
    ) -> None:
        await cast("Orders", self._store).save(summary, replaces=replaces, session=session)
        self._known[summary.id] = summary


class BatchCustomers(_Delegating):
    def __init__(self, store: Customers, known: dict[str, Customer | None]) -> None:
        super().__init__(store)
        self._known = known

    async def get(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        if customer_id not in self._known:
            store = cast("Customers", self._store)
            self._known[customer_id] = await store.get(customer_id, session=session)
        return self._known[customer_id]

    async def resolve(self, customer_id: str, *, session: Session | None = None) -> Customer | None:
        customer = await self.get(customer_id, session=session)
        for _ in range(MAX_MERGE_HOPS):
            if customer is None or customer.merged_into is None:
                return customer
            customer = await self.get(customer.merged_into, session=session)
        raise RuntimeError(f"merge chain of {customer_id} is longer than {MAX_MERGE_HOPS}")

    async def save(self, customer: Customer, *, previous_version: int, session: Session) -> None:
        store = cast("Customers", self._store)
        await store.save(customer, previous_version=previous_version, session=session)
        self._known[customer.id] = customer


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


async def read_ahead(
    commands: Sequence[UpsertCustomerFromOrder],
    *,
    identities: Identities,
    orders: Orders,
    customers: Customers,
    session: Session,
) -> tuple[dict[str, str | None], dict[str, OrderSummary | None], dict[str, Customer | None]]:
    """Owners of the batch's identifiers, its known orders, and their customers: one query each."""
    placed = [order_of(c.order) for c in commands]
    keys = list(dict.fromkeys(i.key for order in placed for i in identifiers_of(order)))
    found = await identities.owners(keys, session=session)
    owners: dict[str, str | None] = {k: found.get(k) for k in keys}
    order_keys = list(dict.fromkeys(order.key for order in placed))
    known_orders = await _orders(orders, order_keys, session)
    buyer_ids = {o for o in owners.values() if o} | {
        s.customer_id for s in known_orders.values() if s
    }
    return owners, known_orders, await _customers(customers, sorted(buyer_ids), session)


async def _orders(
    orders: Orders, keys: list[str], session: Session
) -> dict[str, OrderSummary | None]:
    found = {s.id: s for s in await orders.get_many(keys, session=session)}
    return {k: found.get(k) for k in keys}


async def _customers(
    customers: Customers, ids: list[str], session: Session
) -> dict[str, Customer | None]:
    found = {c.id: c for c in await customers.get_many(ids, session=session)}
    return {i: found.get(i) for i in ids}

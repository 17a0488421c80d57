"""A batch writes in bulk: one write per collection, and it sees its own writes before that."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.support.orders import upsert
from tests.unit.customer.fakes import FakeService, fake_service

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def service() -> FakeService:
    return fake_service()


def count_calls(store: Any, name: str) -> list[int]:
    """Record how often `store.name` is called."""
    calls: list[int] = []
    method: Callable[..., Any] = getattr(store, name)

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await method(*args, **kwargs)

    setattr(store, name, counted)
    return calls


async def test_a_batch_writes_each_collection_once(service: FakeService) -> None:
    stores = service.stores
    bulk = {
        "customers": count_calls(stores.customers, "save_many"),
        "claims": count_calls(stores.identities, "claim_many"),
        "orders": count_calls(stores.orders, "save_many"),
        "activities": count_calls(stores.history, "add"),
        "numbers": count_calls(stores.customers, "next_numbers"),
    }
    one_by_one = {
        "customers": count_calls(stores.customers, "save"),
        "claims": count_calls(stores.identities, "claim"),
        "orders": count_calls(stores.orders, "save"),
        "numbers": count_calls(stores.customers, "next_number"),
    }
    commands = [
        upsert(order_id="o-1"),
        upsert(order_id="o-2", email="berta@example.com", first_name="Berta"),
        upsert(order_id="o-3", first_name="Annabel", updated_minutes=5),
    ]
    await service.cases.order_batches.upsert_from_orders(commands)
    assert {name: len(calls) for name, calls in bulk.items()} == dict.fromkeys(bulk, 1)
    # The fakes' bulk methods write through their single ones: one call per stored record.
    assert len(one_by_one["customers"]) == 2
    assert len(one_by_one["orders"]) == 3
    assert len(one_by_one["numbers"]) == 0
    assert sorted(c.number for c in service.data.customers.values()) == [10001, 10002]


async def test_the_duplicate_check_sees_the_batchs_own_new_customers(
    service: FakeService,
) -> None:
    commands = [
        upsert(email="petra@example.com", first_name="Petra", last_name="Schäfer", order_id="1"),
        upsert(email="p.s@mail.example", first_name="Petra", last_name="Schafer", order_id="2"),
    ]
    alone = fake_service()
    for command in commands:
        await alone.cases.orders.upsert_from_order(command)
    await service.cases.order_batches.upsert_from_orders(commands)
    [candidate] = service.data.candidates.values()
    [alone_candidate] = alone.data.candidates.values()
    assert (candidate.id, candidate.score) == (alone_candidate.id, alone_candidate.score)


async def test_a_customer_changed_twice_in_a_batch_is_written_once_in_its_last_state(
    service: FakeService,
) -> None:
    await service.cases.orders.upsert_from_order(upsert(order_id="o-0"))
    [known] = service.data.customers.values()
    commands = [
        upsert(order_id="o-1", first_name="Annabel", updated_minutes=5),
        upsert(order_id="o-2", first_name="Anne", updated_minutes=9),
    ]
    saves = count_calls(service.stores.customers, "save")
    await service.cases.order_batches.upsert_from_orders(commands)
    [customer] = service.data.customers.values()
    assert len(saves) == 1
    assert (customer.id, customer.first_name, customer.stats.order_count) == (known.id, "Anne", 3)
    assert customer.version > known.version

"""Orders in a batch, on in-memory stores: one transaction, each order as if alone, in order."""

from __future__ import annotations

from typing import Any

import pytest

from shared.contracts.customers import CustomerCreated, CustomerUpdated
from tests.support.orders import upsert
from tests.unit.customer.fakes import FakeService, fake_service


@pytest.fixture
def service() -> FakeService:
    return fake_service()


async def test_a_batch_runs_in_one_unit_of_work_and_answers_each_order(
    service: FakeService,
) -> None:
    commands = [
        upsert(order_id="o-1"),
        upsert(order_id="o-2", email="berta@example.com", first_name="Berta"),
        upsert(order_id="o-3", email="carl@example.com", first_name="Carl"),
    ]
    refs = await service.cases.order_batches.upsert_from_orders(commands)
    assert service.unit.batches == [3]
    assert len({r["customer_id"] for r in refs}) == 3
    assert {service.customer(r["customer_id"]).first_name for r in refs} == {
        "Anna",
        "Berta",
        "Carl",
    }
    assert len(service.unit.sent(CustomerCreated)) == 3
    assert set(service.unit.inbox) == {c.message_id for c in commands}


async def test_two_orders_of_one_new_buyer_in_one_batch_make_one_customer(
    service: FakeService,
) -> None:
    first = upsert(order_id="o-1")
    second = upsert(order_id="o-2", first_name="Annabel", updated_minutes=5)
    refs = await service.cases.order_batches.upsert_from_orders([first, second])
    assert refs[0] == refs[1]
    [customer] = service.data.customers.values()
    assert (customer.first_name, customer.stats.order_count) == ("Annabel", 2)
    assert len(service.unit.sent(CustomerCreated)) == 1
    [updated] = service.unit.sent(CustomerUpdated)
    assert "first_name" in {c.field for c in updated.changes}


async def test_a_batch_ends_as_the_same_orders_one_by_one(service: FakeService) -> None:
    commands = [
        upsert(message_id="m-1", order_id="o-1", customer_id="7"),
        upsert(message_id="m-2", order_id="o-2", email=None, customer_id="7"),
        upsert(message_id="m-3", order_id="o-1", customer_id="7", updated_minutes=3),
        upsert(message_id="m-4", order_id="o-4", email="berta@example.com", first_name="Berta"),
    ]
    alone = fake_service()
    for command in commands:
        await alone.cases.orders.upsert_from_order(command)
    await service.cases.order_batches.upsert_from_orders(commands)

    def shape(s: FakeService) -> Any:
        return sorted(
            (c.first_name, c.stats.order_count, tuple(e.address for e in c.emails))
            for c in s.data.customers.values()
        )

    assert shape(service) == shape(alone)
    assert set(service.data.identities) == set(alone.data.identities)
    assert [type(m) for m in service.unit.published] == [type(m) for m in alone.unit.published]


async def test_a_redelivered_batch_changes_nothing_and_gets_the_same_answers(
    service: FakeService,
) -> None:
    commands = [upsert(order_id="o-1"), upsert(order_id="o-2", email="berta@example.com")]
    first = await service.cases.order_batches.upsert_from_orders(commands)
    published, activities = list(service.unit.published), dict(service.data.activities)
    customers = dict(service.data.customers)
    assert await service.cases.order_batches.upsert_from_orders(commands) == first
    assert service.unit.published == published
    assert service.data.activities == activities
    assert service.data.customers == customers


async def test_a_message_twice_in_one_batch_is_processed_once(service: FakeService) -> None:
    command = upsert(order_id="o-1")
    refs = await service.cases.order_batches.upsert_from_orders([command, command])
    assert refs[0] == refs[1]
    [customer] = service.data.customers.values()
    assert customer.stats.order_count == 1
    assert len(service.unit.published) == len(service.unit.sent(CustomerCreated)) == 1


async def test_a_batch_with_a_failing_order_stores_none_of_them(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = service.stores.orders
    save = orders.save

    async def refuse_o2(summary: Any, **kwargs: Any) -> None:
        if summary.order_id == "o-2":
            raise RuntimeError("order o-2 cannot be stored")
        await save(summary, **kwargs)

    monkeypatch.setattr(orders, "save", refuse_o2)
    commands = [upsert(order_id="o-1"), upsert(order_id="o-2", email="berta@example.com")]
    with pytest.raises(RuntimeError, match="o-2"):
        await service.cases.order_batches.upsert_from_orders(commands)
    assert service.data.customers == {}
    assert service.data.orders == {}
    assert service.unit.inbox == {}
    assert service.unit.published == []

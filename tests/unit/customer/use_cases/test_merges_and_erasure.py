"""Merging and erasing on in-memory stores: what moves, what is kept, what is announced."""

from __future__ import annotations

import pytest

from services.customer.domain.errors import Conflict, InvalidInput
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customer_notes import AddNote
from shared.contracts.customers import (
    CustomerErased,
    CustomersMerged,
    CustomerStatus,
    EraseCustomer,
    MergeCustomers,
)
from shared.contracts.duplicates import CandidateStatus
from shared.contracts.privacy import EraseChannelCustomer, EraseShop, EraseShopFromCustomer
from tests.support.orders import upsert
from tests.unit.customer.fakes import ACTOR, FakeService, fake_service

SHOP = "demo-store.myshopify.com"


@pytest.fixture
def service() -> FakeService:
    return fake_service()


async def buyer(service: FakeService, **order: object) -> str:
    ref = await service.cases.orders.upsert_from_order(upsert(**order))  # type: ignore[arg-type]
    return ref["customer_id"]


async def test_a_merge_moves_everything_to_the_master_and_leaves_a_tombstone(
    service: FakeService,
) -> None:
    master = await buyer(service, email="petra@example.com", phone="+49 171 2223333")
    source = await buyer(
        service,
        email="p.schaefer@mail.example",
        phone="0171 2223333",
        channel="woocommerce",
        shop="shop.example",
    )
    [candidate] = service.data.candidates.values()
    await service.cases.notes.add(AddNote(customer_id=source, text="called", actor=ACTOR))

    await service.cases.merges.merge(
        MergeCustomers(
            master_id=master, source_ids=(source,), candidate_id=candidate.id, actor=ACTOR
        )
    )
    merged, tombstone = service.customer(master), service.customer(source)
    assert {e.address for e in merged.emails} == {"petra@example.com", "p.schaefer@mail.example"}
    assert (tombstone.status, tombstone.merged_into) == (CustomerStatus.MERGED, master)
    assert set(service.data.identities.values()) == {master}
    assert {o.customer_id for o in service.data.orders.values()} == {master}
    assert {n.customer_id for n in service.data.notes.values()} == {master}
    assert service.data.candidates[candidate.id].status is CandidateStatus.ACCEPTED
    merged_activity = service.history.of(master)[-1]
    assert merged_activity.kind is ActivityKind.MERGED
    assert merged_activity.details["orders_moved"] == 1
    # The absorbed customer's own history moved along, marked with where it was written.
    assert any(a.recorded_on == source for a in service.history.of(master))
    [event] = service.unit.sent(CustomersMerged)
    assert event.absorbed_ids == (source,)


async def test_a_merge_into_itself_or_of_the_unknown_is_refused_naming_the_field(
    service: FakeService,
) -> None:
    master = await buyer(service)
    with pytest.raises(InvalidInput) as itself:
        await service.cases.merges.merge(
            MergeCustomers(master_id=master, source_ids=(master,), actor=ACTOR)
        )
    assert itself.value.errors[0].field == "source_ids.0"
    with pytest.raises(InvalidInput) as unknown:
        await service.cases.merges.merge(
            MergeCustomers(master_id=master, source_ids=("nobody",), actor=ACTOR)
        )
    assert unknown.value.errors[0].field == "source_ids.0"


async def test_erasure_keeps_nothing_personal_and_tells_the_others(service: FakeService) -> None:
    customer_id = await buyer(service, order_id="o-1")
    await service.cases.notes.add(AddNote(customer_id=customer_id, text="vip", actor=ACTOR))
    erase = EraseCustomer(customer_id=customer_id, actor=ACTOR)
    await service.cases.erasure.erase(erase)

    erased = service.customer(customer_id)
    assert (erased.status, erased.first_name, erased.emails) == (CustomerStatus.ERASED, None, ())
    assert erased.stats.order_count == 1
    assert service.data.identities == {}
    assert service.data.notes == {}
    assert service.data.forgotten == [customer_id]
    created, *_, last = service.history.of(customer_id)
    assert {v for c in created.changes for v in (c.before, c.after)} <= {None, "[erased]"}
    assert last.kind is ActivityKind.ERASED
    assert last.details == {"identities_released": 1, "notes_removed": 1}
    [event] = service.unit.sent(CustomerErased)
    assert event.customer.status is CustomerStatus.ERASED
    # Erasing again is no change at all.
    await service.cases.erasure.erase(erase.with_id("again"))
    assert len(service.unit.sent(CustomerErased)) == 1


async def test_a_merged_customer_cannot_be_erased(service: FakeService) -> None:
    master = await buyer(service, email="a@example.com", order_id="o-1")
    source = await buyer(service, email="b@example.com", order_id="o-2")
    await service.cases.merges.merge(
        MergeCustomers(master_id=master, source_ids=(source,), actor=ACTOR)
    )
    with pytest.raises(Conflict):
        await service.cases.erasure.erase(EraseCustomer(customer_id=source, actor=ACTOR))


async def test_a_shop_names_the_person_by_account_email_or_order_and_nobody_is_no_error(
    service: FakeService,
) -> None:
    customer_id = await buyer(service, email=None, order_id="o-9")
    await service.cases.erasure.erase_channel_customer(
        EraseChannelCustomer(channel="shopify", shop=SHOP, email="who@example.com", actor=ACTOR)
    )
    assert service.unit.sent(CustomerErased) == []
    await service.cases.erasure.erase_channel_customer(
        EraseChannelCustomer(channel="shopify", shop=SHOP, order_ids=("o-9",), actor=ACTOR)
    )
    assert service.customer(customer_id).status is CustomerStatus.ERASED


async def test_a_leaving_shop_sends_one_message_per_customer_in_batches(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("services.customer.use_cases.erasure.BATCH", 1)
    only_there = await buyer(service, email="a@example.com", customer_id="1")
    elsewhere_too = await buyer(service, email="b@example.com", customer_id="2")
    await buyer(service, email="b@example.com", channel="woocommerce", shop="shop.example")
    run = EraseShop(channel="shopify", shop=SHOP, run_id="run-1", actor=ACTOR)
    await service.cases.erasure.erase_shop(run)
    first, next_batch = service.unit.published[-2:]
    assert isinstance(first, EraseShopFromCustomer)
    assert isinstance(next_batch, EraseShop)
    assert next_batch.cursor is not None
    # The same batch again sends the very same messages (the inbox skips them).
    await service.cases.erasure.erase_shop(run.with_id("redelivered"))
    assert [m.message_id for m in service.unit.published[-2:]] == [
        first.message_id,
        next_batch.message_id,
    ]

    for customer_id in (only_there, elsewhere_too):
        await service.cases.erasure.erase_from_customer(
            EraseShopFromCustomer(
                customer_id=customer_id, channel="shopify", shop=SHOP, actor=ACTOR
            )
        )
    assert service.customer(only_there).status is CustomerStatus.ERASED
    kept = service.customer(elsewhere_too)
    assert kept.channels == ("woocommerce:shop.example",)
    assert kept.channel_accounts == ()
    assert f"account:shopify:{SHOP}:2" not in service.data.identities
    assert service.history.of(elsewhere_too)[-1].kind is ActivityKind.SHOP_DATA_ERASED

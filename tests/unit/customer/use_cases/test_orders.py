"""The upsert from an order, on in-memory stores: who the buyer is, what is kept, what is sent."""

from __future__ import annotations

import pytest

from shared.contracts.consent import RecordConsent
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customer_reports import RepeatPurchaseRate
from shared.contracts.customers import CustomerCreated, CustomerUpdated, EraseCustomer
from shared.contracts.orders import Buyer, MarketingSignal, OrderStatus, UpsertCustomerFromOrder
from tests.support.orders import upsert
from tests.unit.customer.fakes import ACTOR, FakeService, fake_service


@pytest.fixture
def service() -> FakeService:
    return fake_service()


async def test_a_new_buyer_becomes_a_customer_with_claims_summary_activity_and_events(
    service: FakeService,
) -> None:
    command = upsert(customer_id="77", order_id="o-1")
    signal = MarketingSignal(purpose="email", state="single_opt_in")
    command = command.model_copy(
        update={"order": command.order.model_copy(update={"marketing": (signal,)})}
    )
    ref = await service.cases.orders.upsert_from_order(command)

    customer = service.customer(ref["customer_id"])
    assert (customer.first_name, customer.primary_email) == ("Anna", "anna.schmidt@example.com")
    assert customer.stats.order_count == 1
    assert customer.provenance["first_name"].source.endswith(":order:o-1")
    assert customer.created_at == service.clock.now
    assert set(service.data.identities) == {
        "account:shopify:demo-store.myshopify.com:77",
        "email:anna.schmidt@example.com",
    }
    assert set(service.data.orders) == {"shopify:demo-store.myshopify.com:o-1"}
    [created] = service.history.of(customer.id)
    assert created.kind is ActivityKind.CREATED
    assert created.source["order_id"] == "o-1"
    assert created.message_id == command.message_id
    [event] = service.unit.sent(CustomerCreated)
    assert event.customer.customer_id == customer.id
    [consent] = service.unit.sent(RecordConsent)
    assert (consent.customer_id, consent.purpose, consent.evidence.order_id) == (
        customer.id,
        "email",
        "o-1",
    )


async def test_the_same_message_again_changes_nothing_and_gets_the_same_answer(
    service: FakeService,
) -> None:
    command = upsert(order_id="o-1")
    first = await service.cases.orders.upsert_from_order(command)
    published, activities = list(service.unit.published), dict(service.data.activities)
    assert await service.cases.orders.upsert_from_order(command) == first
    assert service.unit.published == published
    assert service.data.activities == activities


async def test_a_later_order_of_a_known_buyer_updates_the_customer(service: FakeService) -> None:
    first = await service.cases.orders.upsert_from_order(upsert(order_id="o-1"))
    service.clock.advance()
    second = await service.cases.orders.upsert_from_order(
        upsert(order_id="o-2", first_name="Annabel", updated_minutes=5)
    )
    assert second == first
    customer = service.customer(first["customer_id"])
    assert (customer.first_name, customer.stats.order_count) == ("Annabel", 2)
    [updated] = service.unit.sent(CustomerUpdated)
    assert {c.field for c in updated.changes} >= {"first_name"}
    kinds = [a.kind for a in service.history.of(customer.id)]
    assert kinds == [ActivityKind.CREATED, ActivityKind.ORDER_IMPORTED]


async def test_an_update_of_a_known_order_names_the_previous_status(service: FakeService) -> None:
    ref = await service.cases.orders.upsert_from_order(upsert(order_id="o-1"))
    shipped = upsert(order_id="o-1", updated_minutes=9)
    shipped = shipped.model_copy(
        update={"order": shipped.order.model_copy(update={"status": OrderStatus.SHIPPED})}
    )
    await service.cases.orders.upsert_from_order(shipped)
    last = service.history.of(ref["customer_id"])[-1]
    assert last.kind is ActivityKind.ORDER_UPDATED
    assert (last.details["status"], last.details["previous_status"]) == ("shipped", "processing")
    assert service.customer(ref["customer_id"]).stats.order_count == 1


async def test_a_guest_without_contact_is_found_again_by_the_order(service: FakeService) -> None:
    ref = await service.cases.orders.upsert_from_order(upsert(email=None, order_id="g-1"))
    assert set(service.data.identities) == {"order:shopify:demo-store.myshopify.com:g-1"}
    again = await service.cases.orders.upsert_from_order(
        upsert(email=None, order_id="g-1", updated_minutes=3)
    )
    assert again == ref
    assert len(service.data.customers) == 1


async def test_an_erased_buyer_comes_back_as_a_new_customer(service: FakeService) -> None:
    first = await service.cases.orders.upsert_from_order(upsert(order_id="o-1"))
    await service.cases.erasure.erase(EraseCustomer(customer_id=first["customer_id"], actor=ACTOR))
    second = await service.cases.orders.upsert_from_order(upsert(order_id="o-2"))
    assert second["customer_id"] != first["customer_id"]
    assert service.data.identities["email:anna.schmidt@example.com"] == second["customer_id"]


async def test_the_account_of_one_and_the_email_of_another_propose_a_duplicate(
    service: FakeService,
) -> None:
    account = await service.cases.orders.upsert_from_order(
        upsert(email=None, customer_id="9", order_id="o-1")
    )
    guest = await service.cases.orders.upsert_from_order(
        upsert(order_id="o-2", first_name="Berta", last_name="Brandt")
    )
    both = await service.cases.orders.upsert_from_order(upsert(customer_id="9", order_id="o-3"))
    assert both == account != guest
    [candidate] = service.data.candidates.values()
    assert set(candidate.customer_ids) == {account["customer_id"], guest["customer_id"]}
    assert candidate.reasons == ("same email anna.schmidt@example.com on different accounts",)
    # The email stays with the customer who claimed it first.
    assert service.customer(account["customer_id"]).emails == ()


def _naming_nobody(command: UpsertCustomerFromOrder) -> UpsertCustomerFromOrder:
    nobody = command.order.model_copy(
        update={"buyer": Buyer(), "billing_address": None, "shipping_address": None}
    )
    return command.model_copy(update={"order": nobody})


async def test_an_order_that_names_nobody_is_kept_without_a_customer_and_counted(
    service: FakeService,
) -> None:
    command = _naming_nobody(upsert(order_id="o-9"))
    assert await service.cases.orders.upsert_from_order(command) == {}
    assert service.data.customers == {}
    assert service.data.identities == {}
    assert set(service.data.orders_without_customer) == {"shopify:demo-store.myshopify.com:o-9"}
    assert service.unit.published == []
    # The same message again is skipped like any other.
    assert await service.cases.orders.upsert_from_order(command) == {}
    report = await service.cases.reports.repeat_purchase(RepeatPurchaseRate(actor=ACTOR))
    assert (report.orders_without_customer, report.customers_with_orders) == (1, 0)


async def test_a_later_state_that_names_the_buyer_makes_it_their_order(
    service: FakeService,
) -> None:
    await service.cases.orders.upsert_from_order(
        _naming_nobody(upsert(order_id="o-9", updated_minutes=0))
    )
    ref = await service.cases.orders.upsert_from_order(upsert(order_id="o-9", updated_minutes=5))
    assert service.customer(ref["customer_id"]).stats.order_count == 1
    assert service.data.orders_without_customer == {}
    report = await service.cases.reports.repeat_purchase(RepeatPurchaseRate(actor=ACTOR))
    assert (report.orders_without_customer, report.customers_with_orders) == (0, 1)


async def test_values_kept_unverified_are_noted_in_the_timeline(service: FakeService) -> None:
    command = upsert(order_id="o-1", phone="not a phone")
    ref = await service.cases.orders.upsert_from_order(command)
    [created] = service.history.of(ref["customer_id"])
    assert "buyer.phone" in created.details["unverified"]
    assert service.customer(ref["customer_id"]).unverified_phones == ("not a phone",)

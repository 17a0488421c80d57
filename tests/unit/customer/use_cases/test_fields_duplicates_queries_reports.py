"""Custom fields, duplicate candidates, queries and reports, on in-memory stores."""

from __future__ import annotations

from datetime import date

import pytest

from services.customer.domain.errors import Conflict, InvalidInput, NotFound
from shared.contracts.custom_fields import (
    ChangeCustomField,
    CustomFieldChanges,
    CustomFieldDefinition,
    DefineCustomField,
    FieldType,
    ListCustomFields,
    RemoveCustomField,
)
from shared.contracts.customer_history import (
    ActivityKind,
    GetCustomerOrders,
    GetTimeline,
    TimelineSlice,
)
from shared.contracts.customer_notes import AddNote, ListNotes
from shared.contracts.customer_overview import CustomerOverview, GetCustomerOverview
from shared.contracts.customer_reports import (
    NewCustomersPerDay,
    OpenDuplicates,
    Period,
    RepeatPurchaseRate,
    TopCustomersByRevenue,
)
from shared.contracts.customers import (
    CreateCustomer,
    CustomerDraft,
    FindCustomers,
    GetCustomer,
    MergeCustomers,
    UpdateCustomer,
)
from shared.contracts.duplicates import CandidateStatus, DismissDuplicate, ListDuplicates
from tests.support.orders import upsert
from tests.unit.customer.fakes import ACTOR, FakeService, fake_service

TIER = CustomFieldDefinition(
    key="tier", field_type=FieldType.ENUM, label="Tier", enum_values=("bronze", "gold")
)


@pytest.fixture
def service() -> FakeService:
    return fake_service()


async def test_a_defined_field_is_indexed_refused_twice_and_checked_on_every_write(
    service: FakeService,
) -> None:
    fields = service.cases.fields
    await fields.define(DefineCustomField(definition=TIER, actor=ACTOR))
    assert service.data.indexed == {"tier"}
    with pytest.raises(Conflict):
        await fields.define(DefineCustomField(definition=TIER, actor=ACTOR))
    bad = CustomerDraft(last_name="Kunz", extra={"tier": "platinum"})
    with pytest.raises(InvalidInput) as refused:
        await service.cases.profiles.create(CreateCustomer(customer=bad, actor=ACTOR))
    assert refused.value.errors[0].field == "extra.tier"

    await fields.change(
        ChangeCustomField(key="tier", changes=CustomFieldChanges(label="Level"), actor=ACTOR)
    )
    [listed] = (await service.cases.queries.custom_fields(ListCustomFields(actor=ACTOR))).items
    assert (listed.label, listed.version) == ("Level", 2)


async def test_a_field_someone_holds_a_value_for_is_not_removed(service: FakeService) -> None:
    await service.cases.fields.define(DefineCustomField(definition=TIER, actor=ACTOR))
    draft = CustomerDraft(last_name="Kunz", extra={"tier": "gold"})
    ref = await service.cases.profiles.create(CreateCustomer(customer=draft, actor=ACTOR))
    remove = RemoveCustomField(key="tier", actor=ACTOR)
    with pytest.raises(Conflict, match="1 customer"):
        await service.cases.fields.remove(remove)
    await service.cases.profiles.update(
        UpdateCustomer(customer_id=ref["customer_id"], set={"extra": {"tier": None}}, actor=ACTOR)
    )
    await service.cases.fields.remove(remove.with_id("later"))
    assert service.data.fields == {}


async def lookalikes(service: FakeService) -> str:
    await service.cases.orders.upsert_from_order(
        upsert(email="petra@example.com", first_name="Petra", last_name="Schäfer", order_id="1")
    )
    await service.cases.orders.upsert_from_order(
        upsert(email="p.s@mail.example", first_name="Petra", last_name="Schafer", order_id="2")
    )
    [candidate] = service.data.candidates.values()
    return candidate.id


async def test_a_candidate_is_dismissed_once(service: FakeService) -> None:
    candidate_id = await lookalikes(service)
    dismiss = DismissDuplicate(candidate_id=candidate_id, actor=ACTOR)
    await service.cases.duplicates.dismiss(dismiss)
    assert service.data.candidates[candidate_id].status is CandidateStatus.DISMISSED
    assert service.data.candidates[candidate_id].decided_by == ACTOR
    with pytest.raises(Conflict):
        await service.cases.duplicates.dismiss(dismiss.with_id("again"))
    page = await service.cases.queries.duplicate_candidates(
        ListDuplicates(status=CandidateStatus.DISMISSED, actor=ACTOR)
    )
    assert [c.id for c in page.items] == [candidate_id]


async def test_the_overview_answers_the_parts_asked_for_as_their_own_queries_would(
    service: FakeService,
) -> None:
    await lookalikes(service)
    [candidate] = service.data.candidates.values()
    petra = candidate.customer_ids[0]
    await service.cases.notes.add(AddNote(customer_id=petra, text="call back", actor=ACTOR))
    queries, of_petra = service.cases.queries, {"customer_id": petra, "actor": ACTOR}
    shown = TimelineSlice(kinds=(ActivityKind.NOTE_ADDED,), limit=5)

    everything = await queries.overview(
        GetCustomerOverview(
            orders=3, notes=3, duplicates=3, timeline=shown, custom_fields=True, **of_petra
        )
    )

    assert everything.customer == await queries.get(GetCustomer(**of_petra))
    assert everything.orders == await queries.orders_of(GetCustomerOrders(limit=3, **of_petra))
    assert everything.notes == await queries.notes_of(ListNotes(limit=3, **of_petra))
    assert everything.timeline == await queries.timeline(
        GetTimeline(**shown.model_dump(), **of_petra)
    )
    assert everything.timeline is not None
    assert [a.kind for a in everything.timeline.items] == [ActivityKind.NOTE_ADDED]
    assert everything.custom_fields == await queries.custom_fields(ListCustomFields(actor=ACTOR))
    assert everything.duplicates == await queries.duplicate_candidates(
        ListDuplicates(limit=3, **of_petra)
    )
    assert everything.duplicates is not None
    assert [c.id for c in everything.duplicates.items] == [candidate.id]
    # What the caller's roles do not read is not asked for, and not answered.
    record_only = await queries.overview(GetCustomerOverview(**of_petra))
    assert record_only == CustomerOverview(customer=everything.customer)
    with pytest.raises(NotFound):
        await queries.overview(GetCustomerOverview(customer_id="nobody", actor=ACTOR))


async def test_the_overview_of_a_merged_customer_is_the_record_that_names_its_master(
    service: FakeService,
) -> None:
    await lookalikes(service)
    [candidate] = service.data.candidates.values()
    kept, absorbed = candidate.customer_ids
    await service.cases.merges.merge(
        MergeCustomers(master_id=kept, source_ids=(absorbed,), actor=ACTOR)
    )
    overview = await service.cases.queries.overview(
        GetCustomerOverview(customer_id=absorbed, orders=5, notes=5, actor=ACTOR)
    )
    assert overview.customer.merged_into == kept
    assert (overview.orders, overview.notes) == (None, None)


async def test_customers_are_got_and_found_and_a_malformed_filter_finds_nobody(
    service: FakeService,
) -> None:
    queries = service.cases.queries
    with pytest.raises(NotFound):
        await queries.get(GetCustomer(customer_id="nobody", actor=ACTOR))
    ref = await service.cases.orders.upsert_from_order(upsert(email="Anna@Example.com"))
    view = await queries.get(GetCustomer(customer_id=ref["customer_id"], actor=ACTOR))
    assert view.customer_number == 10001
    found = await queries.find(FindCustomers(email="ANNA@example.com", actor=ACTOR))
    assert [c.id for c in found.items] == [ref["customer_id"]]
    by_name = await queries.find(FindCustomers(name="schm", actor=ACTOR))
    assert [c.id for c in by_name.items] == [ref["customer_id"]]
    assert (await queries.find(FindCustomers(email="not-an-email", actor=ACTOR))).items == ()
    with pytest.raises(InvalidInput) as refused:
        await queries.find(FindCustomers(extra={"nope": "1"}, actor=ACTOR))
    assert refused.value.errors[0].field == "extra.nope"


async def test_reports_count_customers_orders_revenue_and_open_candidates(
    service: FakeService,
) -> None:
    reports = service.cases.reports
    await lookalikes(service)
    await service.cases.orders.upsert_from_order(upsert(email="petra@example.com", order_id="3"))
    day = service.clock.now.date()
    new = await reports.new_customers(
        NewCustomersPerDay(period=Period(start=day, end=day), actor=ACTOR)
    )
    assert (new.total, [r.channel for r in new.rows]) == (2, ["shopify"])
    repeat = await reports.repeat_purchase(RepeatPurchaseRate(actor=ACTOR))
    assert (repeat.customers_with_orders, repeat.repeat_customers, repeat.rate) == (2, 1, 0.5)
    top = await reports.top_customers(TopCustomersByRevenue(currency="EUR", limit=1, actor=ACTOR))
    assert top.items[0].order_count == 2
    assert (await reports.open_duplicates(OpenDuplicates(actor=ACTOR))).open == 1
    with pytest.raises(InvalidInput) as refused:
        await reports.new_customers(
            NewCustomersPerDay(
                period=Period(start=date(2026, 2, 1), end=date(2026, 1, 1)), actor=ACTOR
            )
        )
    assert refused.value.errors[0].field == "period.end"

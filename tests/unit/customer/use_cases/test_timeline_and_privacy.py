"""Notes, consent changes and a person's right of access, on in-memory stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.customer.domain.errors import Conflict, NotFound
from shared.contracts.consent import ConsentChanged, ConsentSource, ConsentState, Evidence
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customer_notes import AddNote, ChangeNote, NoteAdded, NoteChanged, RemoveNote
from shared.contracts.customers import EraseCustomer, MergeCustomers
from shared.contracts.privacy import (
    CustomerDataExported,
    CustomerDataRequested,
    DataRequest,
    GetCustomerExport,
    RecordDataExport,
    RecordDataRequest,
)
from tests.support.orders import upsert
from tests.unit.customer.fakes import ACTOR, FakeService, fake_service

SHOP = "demo-store.myshopify.com"


@pytest.fixture
def service() -> FakeService:
    return fake_service()


async def buyer(
    service: FakeService, email: str = "anna@example.com", order_id: str = "o-1"
) -> str:
    ref = await service.cases.orders.upsert_from_order(upsert(email=email, order_id=order_id))
    return ref["customer_id"]


async def test_notes_are_added_changed_and_removed_each_in_the_timeline(
    service: FakeService,
) -> None:
    customer_id = await buyer(service)
    notes = service.cases.notes
    ref = await notes.add(AddNote(customer_id=customer_id, text="call back", actor=ACTOR))
    note_id = ref["note_id"]
    unchanged = ChangeNote(customer_id=customer_id, note_id=note_id, text="call back", actor=ACTOR)
    await notes.change(unchanged)
    await notes.change(
        ChangeNote(customer_id=customer_id, note_id=note_id, pinned=True, actor=ACTOR)
    )
    await notes.remove(RemoveNote(customer_id=customer_id, note_id=note_id, actor=ACTOR))
    assert service.data.notes == {}
    kinds = [a.kind for a in service.history.of(customer_id)][1:]
    assert kinds == [ActivityKind.NOTE_ADDED, ActivityKind.NOTE_CHANGED, ActivityKind.NOTE_REMOVED]
    assert len(service.unit.sent(NoteAdded)) == len(service.unit.sent(NoteChanged)) == 1
    with pytest.raises(NotFound):
        await notes.remove(RemoveNote(customer_id=customer_id, note_id=note_id, actor=ACTOR))


async def test_a_note_on_an_erased_customer_is_refused(service: FakeService) -> None:
    customer_id = await buyer(service)
    await service.cases.erasure.erase(EraseCustomer(customer_id=customer_id, actor=ACTOR))
    with pytest.raises(Conflict):
        await service.cases.notes.add(AddNote(customer_id=customer_id, text="x", actor=ACTOR))


def consent_changed(customer_id: str) -> ConsentChanged:
    return ConsentChanged(
        customer_id=customer_id,
        purpose="email",
        previous_state=ConsentState.NONE,
        state=ConsentState.SINGLE_OPT_IN,
        evidence=Evidence(
            source=ConsentSource.ORDER_IMPORT,
            decided_at=datetime(2026, 11, 1, tzinfo=UTC),
            channel="shopify",
            order_id="o-1",
            ip_address="203.0.113.9",
        ),
        actor=ACTOR,
    )


async def test_a_consent_change_joins_the_timeline_of_the_master_without_the_ip(
    service: FakeService,
) -> None:
    master = await buyer(service)
    source = await buyer(service, email="other@example.com", order_id="o-2")
    await service.cases.merges.merge(
        MergeCustomers(master_id=master, source_ids=(source,), actor=ACTOR)
    )
    await service.cases.consent.record_change(consent_changed(source))
    entry = service.history.of(master)[-1]
    assert entry.kind is ActivityKind.CONSENT_CHANGED
    assert (entry.changes[0].field, entry.changes[0].after) == ("consent.email", "single_opt_in")
    assert entry.source == {
        "channel": "shopify",
        "consent_source": "order_import",
        "order_id": "o-1",
    }
    assert "203.0.113.9" not in str(entry.model_dump())
    # About nobody the service knows: nothing to write, and no failure.
    assert await service.cases.consent.record_change(consent_changed("ghost")) == {}


async def test_consent_changes_recorded_together_are_each_as_alone_in_one_unit_of_work(
    service: FakeService,
) -> None:
    anna = await buyer(service)
    ben = await buyer(service, email="ben@example.com", order_id="o-2")
    changes = [consent_changed(anna), consent_changed(ben), consent_changed("ghost")]
    twin = changes[0]
    before = len(service.unit.batches)

    answers = await service.cases.consent.record_changes([*changes, twin])

    assert answers == [{"customer_id": anna}, {"customer_id": ben}, {}, {"customer_id": anna}]
    assert service.unit.batches[before:] == [4]
    for customer_id in (anna, ben):
        kinds = [a.kind for a in service.history.of(customer_id)]
        assert kinds.count(ActivityKind.CONSENT_CHANGED) == 1
    # Delivered again later: nothing more.
    await service.cases.consent.record_changes(changes)
    assert [a.kind for a in service.history.of(anna)].count(ActivityKind.CONSENT_CHANGED) == 1


async def test_an_export_fulfils_the_data_requests_received_since_the_last_one(
    service: FakeService,
) -> None:
    customer_id = await buyer(service)
    access = service.cases.right_of_access
    request = DataRequest(channel="shopify", shop=SHOP, request_id="r-1")
    await access.record_request(
        RecordDataRequest(request=request, email="ANNA@example.com", actor=ACTOR)
    )
    nobody = DataRequest(channel="shopify", shop=SHOP, request_id="r-2")
    await access.record_request(
        RecordDataRequest(request=nobody, email="who@example.com", actor=ACTOR)
    )
    known, unknown = service.unit.sent(CustomerDataRequested)
    assert known.customer is not None
    assert known.customer.customer_id == customer_id
    assert unknown.customer is None

    export = await access.export(GetCustomerExport(customer_id=customer_id, actor=ACTOR))
    assert export.identities == ("email:anna@example.com",)
    assert len(export.orders) == 1
    assert [a.kind for a in export.history] == [ActivityKind.DATA_REQUESTED, ActivityKind.CREATED]

    recorded = RecordDataExport(customer_id=customer_id, contents={"orders": 1}, actor=ACTOR)
    answer = await access.export_recorded(await access.record_export(recorded))
    assert answer.fulfils == (request,)
    [exported] = service.unit.sent(CustomerDataExported)
    assert exported.fulfils == (request,)
    again = await access.export_recorded(await access.record_export(recorded.with_id("2nd")))
    assert again.fulfils == ()

"""The GDPR export composed from the customer and consent services, without any server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.gateway.use_cases.exports import MergedInto, export_personal_data
from services.gateway.use_cases.ports import Refused
from shared.contracts.consent import (
    ConsentHistoryPage,
    ConsentSource,
    ConsentState,
    ConsentView,
    CustomerConsents,
    Evidence,
    GetConsentHistory,
    GetConsents,
    LedgerEntryView,
    LedgerOutcome,
)
from shared.contracts.customers import CustomerStatus, CustomerView
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.privacy import (
    CustomerExport,
    DataExportRecorded,
    DataRequest,
    GetCustomerExport,
    RecordDataExport,
)
from shared.contracts.replies import Problem
from tests.unit.gateway.fakes import FakeServices, problem

CALLER = Actor(type=ActorType.SUPPORTER, id="s-1")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
REQUEST = DataRequest(channel="shopify", shop="demo.myshopify.com", request_id="dr-1")


def customer(customer_id: str = "c-1", merged_into: str | None = None) -> CustomerView:
    return CustomerView(
        id=customer_id,
        customer_number=10001,
        status=CustomerStatus.MERGED if merged_into else CustomerStatus.ACTIVE,
        version=3,
        tags=("vip",),
        extra={"loyalty_tier": "gold"},
        merged_into=merged_into,
        created_at=NOW,
        updated_at=NOW,
    )


def entry(customer_id: str, seq: int) -> LedgerEntryView:
    return LedgerEntryView(
        id=f"{customer_id}-{seq}",
        customer_id=customer_id,
        seq=seq,
        purpose="email",
        decision=ConsentState.SINGLE_OPT_IN,
        previous_state=ConsentState.NONE,
        state=ConsentState.SINGLE_OPT_IN,
        outcome=LedgerOutcome.APPLIED,
        evidence=Evidence(source=ConsentSource.API, decided_at=NOW),
        actor=CALLER,
        recorded_at=NOW,
    )


class Suite:
    """The customer service holds `c-1` (which absorbed `c-0`); the consent service holds a
    ledger of `pages` pages per record and one current consent, unless told to refuse."""

    def __init__(
        self,
        *,
        held: CustomerExport | None = None,
        consents: Problem | None = None,
        ledger: dict[str, Problem] | None = None,
        pages: int = 1,
    ) -> None:
        self.held = held or CustomerExport(customer=customer(), absorbed_ids=("c-0",))
        self.refused_consents = consents
        self.refused_ledger = ledger or {}
        self.pages = pages
        self.services = FakeServices(
            {
                ("customer", GetCustomerExport): lambda _: self.held,
                ("customer", RecordDataExport): self.record,
                ("consent", GetConsents): self.current,
                ("consent", GetConsentHistory): self.history,
            }
        )

    def current(self, query: GetConsents) -> Any:
        if self.refused_consents is not None:
            return self.refused_consents
        state = ConsentView(purpose="email", state=ConsentState.SINGLE_OPT_IN, decided_at=NOW)
        return CustomerConsents(customer_id=query.customer_id, consents=(state,))

    def history(self, query: GetConsentHistory) -> Any:
        if query.customer_id in self.refused_ledger:
            return self.refused_ledger[query.customer_id]
        page = int(query.cursor or 0)
        more = page + 1 < self.pages
        return ConsentHistoryPage(
            items=(entry(query.customer_id, page),), next_cursor=str(page + 1) if more else None
        )

    def record(self, command: RecordDataExport) -> DataExportRecorded:
        return DataExportRecorded(customer_id=command.customer_id, fulfils=(REQUEST,))


async def test_the_export_holds_the_record_the_consents_and_every_ledger_it_absorbed() -> None:
    suite = Suite()
    export = await export_personal_data(suite.services, "c-1", CALLER, clock=lambda: NOW)
    assert not isinstance(export, MergedInto)
    assert export.customer.id == "c-1"
    assert export.absorbed_ids == ("c-0",)
    assert [c.purpose for c in export.consents] == ["email"]
    assert [e.customer_id for e in export.consent_ledger] == ["c-1", "c-0"]
    assert (export.exported_at, export.exported_by) == (NOW, CALLER)
    assert export.fulfils == (REQUEST,)


async def test_the_export_is_recorded_with_what_it_held_after_it_was_complete() -> None:
    suite = Suite()
    await export_personal_data(suite.services, "c-1", CALLER)
    [recorded] = suite.services.sent(RecordDataExport)
    assert recorded.customer_id == "c-1"
    assert recorded.actor == CALLER
    assert recorded.contents == {
        "addresses": 0,
        "bank_accounts": 0,
        "custom_fields": 1,
        "orders": 0,
        "notes": 0,
        "history": 0,
        "consents": 1,
        "consent_ledger": 2,
    }
    assert suite.services.asked[-1][1] is recorded


async def test_a_ledger_of_several_pages_is_read_to_its_end() -> None:
    suite = Suite(held=CustomerExport(customer=customer()), pages=3)
    export = await export_personal_data(suite.services, "c-1", CALLER)
    assert not isinstance(export, MergedInto)
    assert [e.seq for e in export.consent_ledger] == [0, 1, 2]


async def test_a_merged_record_sends_the_caller_to_its_master_and_records_nothing() -> None:
    suite = Suite(held=CustomerExport(customer=customer("c-0", merged_into="c-1")))
    assert await export_personal_data(suite.services, "c-0", CALLER) == MergedInto("c-1")
    assert [type(m) for _, m in suite.services.asked] == [GetCustomerExport]


@pytest.mark.parametrize("status", [404, 410])
async def test_no_current_consents_when_the_consent_service_has_none(status: int) -> None:
    suite = Suite(consents=problem(status), ledger={"c-0": problem(404)})
    export = await export_personal_data(suite.services, "c-1", CALLER)
    assert not isinstance(export, MergedInto)
    assert export.consents == ()
    assert [e.customer_id for e in export.consent_ledger] == ["c-1"]


async def test_any_other_refusal_stops_the_export_before_it_is_recorded() -> None:
    suite = Suite(ledger={"c-0": problem(503, "The consent service is unavailable")})
    with pytest.raises(Refused) as refused:
        await export_personal_data(suite.services, "c-1", CALLER)
    assert refused.value.problem.status == 503
    assert suite.services.sent(RecordDataExport) == []

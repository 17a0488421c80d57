"""GDPR export (Art. 15/20): everything the suite holds on a person, as one document.

The gateway owns no data: it asks the customer service for the record (addresses, bank
accounts masked, tags, custom fields), the orders, notes and history, and the consent service
for the current consents and every ledger entry (also those of records merged into this one),
and composes one document. Only a complete export is handed out, and only then does the
customer service record it in the timeline (who exported, when) together with the data requests
it fulfils. A record merged into another has no export of its own: the caller is sent to the
master's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.gateway.use_cases.ports import Refused, Services
from shared.contracts.consent import (
    ConsentHistoryPage,
    ConsentView,
    CustomerConsents,
    GetConsentHistory,
    GetConsents,
    LedgerEntryView,
)
from shared.contracts.envelope import Actor, utc_now
from shared.contracts.privacy import (
    CustomerExport,
    DataExportRecorded,
    GetCustomerExport,
    PersonalDataExport,
    RecordDataExport,
)

LEDGER_PAGE = 200


@dataclass(frozen=True)
class MergedInto:
    """The record was absorbed by `master_id`: the person's data is exported from there."""

    master_id: str


async def export_personal_data(
    services: Services,
    customer_id: str,
    caller: Actor,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> PersonalDataExport | MergedInto:
    held = await services.ask(
        "customer", GetCustomerExport(customer_id=customer_id, actor=caller), CustomerExport
    )
    if held.customer.merged_into is not None:
        return MergedInto(held.customer.merged_into)
    consents = await _current_consents(services, customer_id, caller)
    ledger = [
        entry
        for held_id in (customer_id, *held.absorbed_ids)
        for entry in await _ledger(services, held_id, caller)
    ]
    export = PersonalDataExport(
        exported_at=clock(),
        exported_by=caller,
        **dict(held),
        consents=consents,
        consent_ledger=tuple(ledger),
    )
    recorded = await services.ask(
        "customer",
        RecordDataExport(customer_id=customer_id, contents=contents(export), actor=caller),
        DataExportRecorded,
    )
    return export.model_copy(update={"fulfils": recorded.fulfils})


async def _current_consents(
    services: Services, customer_id: str, caller: Actor
) -> tuple[ConsentView, ...]:
    """None when the consent service never heard of the customer, or they were erased and have
    no current consents any more."""
    query = GetConsents(customer_id=customer_id, actor=caller)
    try:
        return (await services.ask("consent", query, CustomerConsents)).consents
    except Refused as refusal:
        if refusal.not_found or refusal.gone:
            return ()
        raise


async def _ledger(services: Services, customer_id: str, caller: Actor) -> list[LedgerEntryView]:
    """Every ledger entry of one record, newest first; none if the consent service never heard
    of it."""
    entries: list[LedgerEntryView] = []
    cursor: str | None = None
    while True:
        query = GetConsentHistory(
            customer_id=customer_id, limit=LEDGER_PAGE, cursor=cursor, actor=caller
        )
        try:
            page = await services.ask("consent", query, ConsentHistoryPage)
        except Refused as refusal:
            if refusal.not_found:
                return entries
            raise
        entries += page.items
        if page.next_cursor is None:
            return entries
        cursor = page.next_cursor


def contents(export: PersonalDataExport) -> dict[str, int]:
    """How much of each part the export holds, for the timeline."""
    parts: dict[str, Any] = {
        "addresses": export.customer.addresses,
        "bank_accounts": export.customer.bank_accounts,
        "custom_fields": export.customer.extra,
        "orders": export.orders,
        "notes": export.notes,
        "history": export.history,
        "consents": export.consents,
        "consent_ledger": export.consent_ledger,
    }
    return {name: len(items) for name, items in parts.items()}

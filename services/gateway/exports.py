"""GDPR export (Art. 15/20): `GET /v1/customers/{id}/export`, all the suite holds on a person.

The gateway owns no data: it asks the customer service for the record (addresses, bank
accounts masked, tags, custom fields), the orders, notes and history, and the consent service
for the current consents and every ledger entry (also those of records merged into this one),
and composes one JSON document. Only a complete export is handed out, and only then does the
customer service record it in the timeline (who exported, when) together with the data requests
it fulfils. A merged id answers 301 with the master's export as `Location`, like
`GET /v1/customers/{id}`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse

from services.gateway.callers import Caller
from services.gateway.services import Services
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
from shared.contracts.replies import ProblemError

CustomerId = Annotated[str, Path(min_length=1, max_length=64)]
LEDGER_PAGE = 200
# The consent service never heard of the customer (404), or they were erased and have no
# current consents any more (410): it holds no current consent on them.
_NO_CONSENTS = (404, 410)


def exports_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/customers", tags=["customers"])

    @router.get(
        "/{customer_id}/export",
        response_model=PersonalDataExport,
        responses={301: {"description": "merged into another customer (see Location)"}},
    )
    async def export_customer(customer_id: CustomerId, caller: Caller) -> Response:
        """Everything the suite holds on the customer, as one JSON document."""
        held = CustomerExport.model_validate(
            await services.ask("customer", GetCustomerExport(customer_id=customer_id, actor=caller))
        )
        master = held.customer.merged_into
        if master is not None:
            return Response(
                status_code=status.HTTP_301_MOVED_PERMANENTLY,
                headers={"Location": f"/v1/customers/{master}/export"},
            )
        consents = await _current_consents(services, customer_id, caller)
        ledger = [
            entry
            for held_id in (customer_id, *held.absorbed_ids)
            for entry in await _ledger(services, held_id, caller)
        ]
        export = PersonalDataExport(
            exported_at=utc_now(),
            exported_by=caller,
            **held.model_dump(),
            consents=consents,
            consent_ledger=tuple(ledger),
        )
        recorded = DataExportRecorded.model_validate(
            await services.ask(
                "customer",
                RecordDataExport(customer_id=customer_id, contents=_contents(export), actor=caller),
            )
        )
        export = export.model_copy(update={"fulfils": recorded.fulfils})
        return JSONResponse(
            export.model_dump(mode="json"),
            headers={
                "Content-Disposition": (
                    f'attachment; filename="customer-{export.customer.customer_number}.json"'
                )
            },
        )

    return router


async def _current_consents(
    services: Services, customer_id: str, caller: Actor
) -> tuple[ConsentView, ...]:
    try:
        answer = await services.ask("consent", GetConsents(customer_id=customer_id, actor=caller))
    except ProblemError as error:
        if error.problem.status in _NO_CONSENTS:
            return ()
        raise
    return CustomerConsents.model_validate(answer).consents


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
            page = ConsentHistoryPage.model_validate(await services.ask("consent", query))
        except ProblemError as error:
            if error.problem.status == status.HTTP_404_NOT_FOUND:
                return entries
            raise
        entries += page.items
        if page.next_cursor is None:
            return entries
        cursor = page.next_cursor


def _contents(export: PersonalDataExport) -> dict[str, int]:
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

"""What a caller is shown of what the services answer: cut to the field groups its roles
read (`domain.redaction`), and - for personal data - recorded in the access log first."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from services.gateway.domain import redaction
from services.gateway.domain.policy import Grants
from services.gateway.use_cases.access_log import AccessRecorder, with_views
from services.gateway.use_cases.ports import Services
from shared.contracts import custom_fields as f
from shared.contracts.customer_details import BankAccountView
from shared.contracts.customer_history import ActivityPage, TimelineSlice
from shared.contracts.customer_reports import TopCustomersReport
from shared.contracts.customers import CustomerPage, CustomerView
from shared.contracts.envelope import Actor
from shared.contracts.privacy import PersonalDataExport

M = TypeVar("M", bound=BaseModel)


@dataclass
class CustomFieldGroups:
    """Which group each custom field belongs to, as the customer service defines them. Kept a
    few seconds per process: a definition's group changes rarely, and a field moved to a
    stricter group is hidden from the next reads within that time."""

    services: Services
    ttl_s: float = 5.0
    clock: Callable[[], float] = time.monotonic
    _groups: dict[str, str] = field(default_factory=dict)
    _fetched_at: float | None = None

    async def get(self, actor: Actor) -> Mapping[str, str]:
        now = self.clock()
        if self._fetched_at is None or now - self._fetched_at > self.ttl_s:
            listing = await self.services.ask(
                "customer", f.ListCustomFields(actor=actor), f.CustomFieldList
            )
            self._groups = {d.key: d.access_group for d in listing.items}
            self._fetched_at = now
        return self._groups


def _shown(model: type[M], data: Mapping[str, Any]) -> M:
    """The model with only the fields in `data` set: the answer leaves the others out."""
    return model.model_validate(data)


@dataclass
class Visibility:
    """Each method cuts an answer to what the caller reads and records the personal data it
    holds in the access log, before the answer is returned."""

    grants: Grants
    actor: Actor
    custom_fields: CustomFieldGroups
    log: AccessRecorder

    async def customer(self, view: CustomerView) -> CustomerView:
        groups = await self.custom_fields.get(self.actor)
        shown, returned = redaction.customer(view.model_dump(), self.grants, groups)
        await self.log.record({view.id: returned})
        return _shown(CustomerView, shown)

    async def customers(self, page: CustomerPage) -> CustomerPage:
        groups = await self.custom_fields.get(self.actor)
        cut = [redaction.customer(v.model_dump(), self.grants, groups) for v in page.items]
        await self.log.record(
            {v.id: returned for v, (_, returned) in zip(page.items, cut, strict=True)}
        )
        return _shown(CustomerPage, {"items": [s for s, _ in cut], "next_cursor": page.next_cursor})

    async def timeline(
        self, customer_id: str, page: ActivityPage, query: TimelineSlice
    ) -> ActivityPage:
        """The page as the caller reads it, with the customer's "viewed" entries merged in."""
        groups = await self.custom_fields.get(self.actor)
        entries = [redaction.activity(a.model_dump(), self.grants, groups) for a in page.items]
        items = [e for e in entries if e is not None]
        await self.log.record({customer_id: redaction.timeline_groups(items, groups)})
        shown = _shown(ActivityPage, {"items": items, "next_cursor": page.next_cursor})
        return await with_views(
            shown,
            self.log.store,
            customer_id,
            first_page=query.cursor is None,
            actor_type=query.actor_type,
            kinds=query.kinds,
            limit=query.limit,
        )

    async def export(self, document: PersonalDataExport) -> PersonalDataExport:
        groups = await self.custom_fields.get(self.actor)
        shown, returned = redaction.export(document.model_dump(), self.grants, groups)
        await self.log.record({document.customer.id: returned})
        return _shown(PersonalDataExport, shown)

    async def bank_accounts(
        self, customer_id: str, accounts: Iterable[BankAccountView]
    ) -> tuple[BankAccountView, ...]:
        shown = redaction.bank_accounts((a.model_dump() for a in accounts), self.grants)
        await self.log.record({customer_id: {"bank"} if shown else set()})
        return tuple(_shown(BankAccountView, a) for a in shown)

    async def top_customers(self, report: TopCustomersReport) -> TopCustomersReport:
        """Names only for readers of `identity`; a name shown is on record for its customer."""
        items = [redaction.top_customer(i.model_dump(), self.grants) for i in report.items]
        await self.log.record(
            {i["customer_id"]: {"identity"} for i in items if i.get("display_name")}
        )
        return TopCustomersReport.model_validate({"currency": report.currency, "items": items})

    async def record_reads(self, reads: Mapping[str, Iterable[str]]) -> None:
        await self.log.record(reads)

    async def record(self, customer_id: str, group: str, returned: bool = True) -> None:
        """A read the endpoint answers as the service gave it (addresses, notes, orders,
        consents): on record when it returned any."""
        await self.log.record({customer_id: {group} if returned else set()})

    async def require_customer_writes(self, fields: Iterable[str], extra: Iterable[str]) -> None:
        """Refuse (403) a change that touches a field the caller may not write, naming it."""
        groups = await self.custom_fields.get(self.actor)
        touched = {name: redaction.write_group(name, groups) for name in fields if name != "extra"}
        touched |= {f"extra.{k}": redaction.write_group(f"extra.{k}", groups) for k in extra}
        self.grants.require_writes(touched)

    async def require_filters(self, filters: Iterable[str]) -> None:
        """A search by a field tells whether someone has that value: only for its readers."""
        groups = await self.custom_fields.get(self.actor)
        self.grants.require_filters({f: redaction.read_group(f, groups) for f in filters})

"""What a console screen shows of the services' answers: cut to the field groups the caller's
roles read (`domain.policy`), bank accounts masked for the roles that read them masked.

The screens ask for their parts through a `Viewer`, the one place each answer passes before a
template sees it. Its methods are those of the API's `use_cases.visibility.Visibility` (the cut
and the access log of the API routes), so that the console can be given that one instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.gateway.domain.policy import CUSTOMER_FIELDS, Grants, field_group
from services.gateway.domain.roles import EVERY_GROUP, FieldGroup
from shared.contracts.customer_history import ActivityKind, ActivityPage, GetTimeline
from shared.contracts.customers import CustomerPage, CustomerView

G = FieldGroup
# What a masked bank account keeps: no holder, BIC or bank, the IBAN only masked.
_MASKED_BANK_FIELDS = frozenset({"id", "iban_masked", "country_code", "added_at"})
# Timeline entries about one group are shown only to its readers.
_KIND_GROUPS: Mapping[ActivityKind, str] = {
    ActivityKind.ADDRESS_ADDED: G.ADDRESSES,
    ActivityKind.ADDRESS_CHANGED: G.ADDRESSES,
    ActivityKind.ADDRESS_REMOVED: G.ADDRESSES,
    ActivityKind.BANK_ACCOUNT_ADDED: G.BANK,
    ActivityKind.BANK_ACCOUNT_REMOVED: G.BANK,
    ActivityKind.NOTE_ADDED: G.NOTES,
    ActivityKind.NOTE_CHANGED: G.NOTES,
    ActivityKind.NOTE_REMOVED: G.NOTES,
    ActivityKind.CONSENT_CHANGED: G.CONSENT,
    ActivityKind.ORDER_IMPORTED: G.ORDERS,
    ActivityKind.ORDER_UPDATED: G.ORDERS,
    ActivityKind.TASK_CREATED: G.TASKS,
    ActivityKind.TASK_REASSIGNED: G.TASKS,
    ActivityKind.TASK_STATUS_CHANGED: G.TASKS,
    ActivityKind.TASK_COMPLETED: G.TASKS,
    ActivityKind.TASK_REMINDER_DUE: G.TASKS,
}


class Viewer(Protocol):
    grants: Grants

    async def customer(self, view: CustomerView) -> CustomerView: ...
    async def customers(self, page: CustomerPage) -> CustomerPage: ...
    async def timeline(
        self, customer_id: str, page: ActivityPage, query: GetTimeline
    ) -> ActivityPage: ...
    async def record(self, customer_id: str, group: str, returned: bool = True) -> None:
        """A part the screen shows as the service gave it (notes, orders, consent)."""
        ...


@dataclass
class RoleView:
    """A `Viewer` that cuts by the caller's grants; `custom_groups`: custom field -> group."""

    grants: Grants
    custom_groups: Mapping[str, str] = field(default_factory=dict)

    async def customer(self, view: CustomerView) -> CustomerView:
        return CustomerView.model_validate(self._cut(view))

    async def customers(self, page: CustomerPage) -> CustomerPage:
        items = [self._cut(v) for v in page.items]
        return CustomerPage.model_validate({"items": items, "next_cursor": page.next_cursor})

    async def timeline(
        self, customer_id: str, page: ActivityPage, query: GetTimeline
    ) -> ActivityPage:
        items = []
        for entry in page.items:
            group = _KIND_GROUPS.get(entry.kind)
            if group is not None and not self.grants.reads_group(group):
                continue
            changes = [
                c
                for c in entry.changes
                if self.grants.reads_group(field_group(c.field, self.custom_groups))
            ]
            items.append(entry.model_copy(update={"changes": tuple(changes)}))
        return ActivityPage(items=tuple(items), next_cursor=page.next_cursor)

    async def record(self, customer_id: str, group: str, returned: bool = True) -> None:
        """Nothing to do: this viewer keeps no access log (the gateway's `Visibility` does)."""

    def _cut(self, view: CustomerView) -> dict[str, Any]:
        """The view's data without what the caller may not read (left at the model's empty
        default, which the screens show as hidden by the `reads` of the grants)."""
        shown: dict[str, Any] = {}
        for name, value in view.model_dump().items():
            if name == "extra":
                shown[name] = {
                    k: v
                    for k, v in value.items()
                    if self.grants.reads_group(self.custom_groups.get(k, G.CUSTOM_FIELDS))
                }
            elif name == "provenance":
                shown[name] = {
                    f: p
                    for f, p in value.items()
                    if self.grants.reads_group(field_group(f, self.custom_groups))
                }
            elif self._reads(name):
                shown[name] = value
        if self.grants.reads_masked(G.BANK) and "bank_accounts" in shown:
            shown["bank_accounts"] = [
                {k: v for k, v in a.items() if k in _MASKED_BANK_FIELDS}
                for a in shown["bank_accounts"]
            ]
        return shown

    def _reads(self, name: str) -> bool:
        return self.grants.reads_group(CUSTOMER_FIELDS.get(name, EVERY_GROUP))

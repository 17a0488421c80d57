"""Use cases that read: answered over request/reply, never changing anything."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from services.customer.domain.custom_fields import filter_value
from services.customer.domain.errors import InvalidInput, NotFound, customer_not_found
from services.customer.domain.identities import normalise_email, normalise_phone
from services.customer.domain.search import name_prefix
from services.customer.use_cases.ports import CustomerFilter
from services.customer.use_cases.views import (
    activity_view,
    candidate_view,
    customer_view,
    field_view,
    note_view,
    order_view,
)
from shared.contracts.custom_fields import CustomFieldList, CustomFieldView
from shared.contracts.customer_history import ActivityPage, OrderPage
from shared.contracts.customer_notes import NotePage, NoteView
from shared.contracts.customer_overview import CustomerOverview
from shared.contracts.customers import CustomerPage, CustomerView
from shared.contracts.duplicates import CandidateStatus, DuplicateCandidateView, DuplicatePage
from shared.contracts.replies import FieldError

if TYPE_CHECKING:
    from services.customer.use_cases.ports import (
        Customers,
        CustomFields,
        Duplicates,
        History,
        Notes,
        Orders,
    )
    from shared.contracts.custom_fields import GetCustomField, ListCustomFields
    from shared.contracts.customer_details import AddressView, BankAccountView
    from shared.contracts.customer_history import GetCustomerOrders, GetTimeline, TimelineSlice
    from shared.contracts.customer_notes import ListNotes
    from shared.contracts.customer_overview import GetCustomerOverview
    from shared.contracts.customers import FindCustomers, GetCustomer
    from shared.contracts.duplicates import GetDuplicate, ListDuplicates

P = TypeVar("P")


@dataclass
class CustomerQueries:
    customers: Customers
    orders: Orders
    history: History
    notes: Notes
    fields: CustomFields
    duplicates: Duplicates
    default_region: str

    async def get(self, query: GetCustomer) -> CustomerView:
        return await self.view(query.customer_id)

    async def view(self, customer_id: str) -> CustomerView:
        customer = await self.customers.get(customer_id)
        if customer is None:
            raise customer_not_found(customer_id)
        return customer_view(customer)

    async def address(self, customer_id: str, address_id: str) -> AddressView:
        view = await self.view(customer_id)
        return next(a for a in view.addresses if a.id == address_id)

    async def bank_account(self, customer_id: str, account_id: str) -> BankAccountView:
        view = await self.view(customer_id)
        return next(a for a in view.bank_accounts if a.id == account_id)

    async def find(self, query: FindCustomers) -> CustomerPage:
        where = await self._filter(query)
        if where is None:
            # A malformed email or phone belongs to no customer: an empty page, not an error.
            return CustomerPage(items=())
        found, next_cursor = await self.customers.find(
            where,
            sort=query.sort,
            descending=query.descending,
            cursor=query.cursor,
            limit=query.limit,
        )
        return CustomerPage(items=tuple(customer_view(c) for c in found), next_cursor=next_cursor)

    async def _filter(self, query: FindCustomers) -> CustomerFilter | None:
        email = phone = None
        if query.email is not None and (email := normalise_email(query.email)) is None:
            return None
        if query.phone is not None:
            phone = normalise_phone(query.phone, default_region=self.default_region)
            if phone is None:
                return None
        extra = {}
        if query.extra:
            definitions = await self.fields.all()
            unknown = [k for k in query.extra if k not in definitions]
            if unknown:
                raise InvalidInput(
                    FieldError(field=f"extra.{k}", message="no custom field with this key")
                    for k in unknown
                )
            extra = {k: filter_value(definitions[k], v) for k, v in query.extra.items()}
        where = CustomerFilter(
            name_prefix=name_prefix(query.name) if query.name else None,
            email=email,
            phone=phone,
            number=query.number,
            channel=query.channel,
            tag=query.tag,
            extra=extra,
        )
        return replace(where, statuses=query.status) if query.status else where

    async def _existing(self, customer_id: str) -> None:
        if await self.customers.get(customer_id) is None:
            raise customer_not_found(customer_id)

    async def orders_of(self, query: GetCustomerOrders) -> OrderPage:
        await self._existing(query.customer_id)
        return await self._orders(query.customer_id, query.limit, query.cursor)

    async def timeline(self, query: GetTimeline) -> ActivityPage:
        await self._existing(query.customer_id)
        return await self._timeline(query.customer_id, query)

    async def notes_of(self, query: ListNotes) -> NotePage:
        await self._existing(query.customer_id)
        return await self._notes(query.customer_id, query.limit, query.cursor)

    async def overview(self, query: GetCustomerOverview) -> CustomerOverview:
        """The customer read once, then the parts asked for at once."""
        view = await self.view(query.customer_id)
        if view.merged_into:
            return CustomerOverview(customer=view)
        of, activities = query.customer_id, query.timeline
        orders, notes, timeline, fields, duplicates = await asyncio.gather(
            _asked(self._orders(of, query.orders) if query.orders else None),
            _asked(self._notes(of, query.notes) if query.notes else None),
            _asked(self._timeline(of, activities) if activities else None),
            _asked(self.custom_fields() if query.custom_fields else None),
            _asked(self._candidates(of, query.duplicates) if query.duplicates else None),
        )
        return CustomerOverview(
            customer=view,
            orders=orders,
            notes=notes,
            timeline=timeline,
            custom_fields=fields,
            duplicates=duplicates,
        )

    async def _orders(self, customer_id: str, limit: int, cursor: str | None = None) -> OrderPage:
        found, next_cursor = await self.orders.page(customer_id, cursor=cursor, limit=limit)
        return OrderPage(items=tuple(order_view(o) for o in found), next_cursor=next_cursor)

    async def _timeline(self, customer_id: str, shown: TimelineSlice) -> ActivityPage:
        found, next_cursor = await self.history.page(
            customer_id,
            actor_type=shown.actor_type,
            kinds=shown.kinds,
            cursor=shown.cursor,
            limit=shown.limit,
        )
        return ActivityPage(items=tuple(activity_view(a) for a in found), next_cursor=next_cursor)

    async def _notes(self, customer_id: str, limit: int, cursor: str | None = None) -> NotePage:
        found, next_cursor = await self.notes.page(customer_id, cursor=cursor, limit=limit)
        return NotePage(items=tuple(note_view(n) for n in found), next_cursor=next_cursor)

    async def note(self, customer_id: str, note_id: str) -> NoteView:
        note = await self.notes.get(customer_id, note_id)
        if note is None:
            raise NotFound("Note", f"customer {customer_id} has no note {note_id}")
        return note_view(note)

    async def custom_fields(self, _: ListCustomFields | None = None) -> CustomFieldList:
        definitions = await self.fields.all()
        return CustomFieldList(items=tuple(field_view(d) for d in definitions.values()))

    async def custom_field(self, query: GetCustomField) -> CustomFieldView:
        return await self.field(query.key)

    async def field(self, key: str) -> CustomFieldView:
        definition = await self.fields.get(key)
        if definition is None:
            raise NotFound("Custom field", f"no custom field {key}")
        return field_view(definition)

    async def duplicate_candidates(self, query: ListDuplicates) -> DuplicatePage:
        return await self._candidates(query.customer_id, query.limit, query.cursor, query.status)

    async def _candidates(
        self,
        customer_id: str | None,
        limit: int,
        cursor: str | None = None,
        status: CandidateStatus = CandidateStatus.OPEN,
    ) -> DuplicatePage:
        found, next_cursor = await self.duplicates.page(
            status=status, customer_id=customer_id, cursor=cursor, limit=limit
        )
        return DuplicatePage(items=tuple(candidate_view(c) for c in found), next_cursor=next_cursor)

    async def duplicate(self, query: GetDuplicate) -> DuplicateCandidateView:
        return await self.candidate(query.candidate_id)

    async def candidate(self, candidate_id: str) -> DuplicateCandidateView:
        candidate = await self.duplicates.get(candidate_id)
        if candidate is None:
            raise NotFound("Duplicate candidate", f"no candidate {candidate_id}")
        return candidate_view(candidate)


async def _asked(read: Awaitable[P] | None) -> P | None:
    """A part of an overview: read if it was asked for."""
    return None if read is None else await read

"""A person's right of access (GDPR Art. 15/20), on the customer service's side.

A data request a shop passes on (Shopify's customers/data_request) is recorded in the person's
timeline, naming the channel, the shop and the request, and announced as
`CustomerDataRequested`; a request naming nobody the suite knows is announced without a
customer (nothing is held, nothing to export). An export fulfils the requests: `export` reads
everything the service holds on the customer; once the gateway handed the complete export out,
`record_export` writes who exported it when, and which requests received since the previous
export it answers (`CustomerDataExported`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from services.customer.domain.errors import customer_not_found
from services.customer.use_cases.ports import reference
from services.customer.use_cases.views import (
    activity_view,
    customer_ref,
    customer_view,
    note_view,
    order_view,
)
from shared.contracts.customer_history import ActivityKind
from shared.contracts.privacy import (
    CustomerDataExported,
    CustomerDataRequested,
    CustomerExport,
    DataExportRecorded,
    DataRequest,
)
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.domain.history import Activity
    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.people import People
    from services.customer.use_cases.ports import Clock, Identities, Notes, Orders, Ref
    from shared.contracts.privacy import GetCustomerExport, RecordDataExport, RecordDataRequest
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

T = TypeVar("T")
PAGE = 200
# More requests than this between two exports of one person is no longer a person asking.
MAX_OPEN_REQUESTS = 200


@dataclass
class RightOfAccess:
    unit: ChangeRunner
    changes: Changes
    identities: Identities
    orders: Orders
    notes: Notes
    people: People
    clock: Clock

    async def record_request(self, command: RecordDataRequest) -> Ref:
        request = command.request

        async def change(session: Session) -> Outcome[Ref]:
            person = await self.people.named_by(
                channel=request.channel,
                shop=request.shop,
                channel_customer_id=command.channel_customer_id,
                email=command.email,
                order_ids=command.orders_requested,
                session=session,
            )
            announced = command.caused(
                CustomerDataRequested,
                request=request,
                customer=customer_ref(person) if person else None,
                orders_requested=command.orders_requested,
            )
            if person is None:
                return Outcome.kept({}, [announced])
            await self.changes.record(
                person.id,
                message=command,
                kind=ActivityKind.DATA_REQUESTED,
                at=self.clock(),
                session=session,
                source={
                    "channel": request.channel,
                    "shop": request.shop,
                    "data_request_id": request.request_id,
                },
                details={"orders_requested": list(command.orders_requested)},
            )
            return Outcome.kept(reference(customer_id=person.id), [announced])

        return await self.unit.run(command, change)

    async def export(self, query: GetCustomerExport) -> CustomerExport:
        customer = await self.changes.customers.get(query.customer_id)
        if customer is None:
            raise customer_not_found(query.customer_id)
        if customer.merged_into is not None:
            # A tombstone holds nothing; the caller is sent to the master.
            return CustomerExport(customer=customer_view(customer))
        history = self.changes.history
        orders = await _every(lambda at: self.orders.page(customer.id, cursor=at, limit=PAGE))
        notes = await _every(lambda at: self.notes.page(customer.id, cursor=at, limit=PAGE))
        activities = await _every(
            lambda at: history.page(customer.id, actor_type=None, kinds=(), cursor=at, limit=PAGE)
        )
        return CustomerExport(
            customer=customer_view(customer),
            identities=tuple(await self.identities.keys_of(customer.id)),
            absorbed_ids=tuple(await self.changes.customers.absorbed_by(customer.id)),
            orders=tuple(order_view(o) for o in orders),
            notes=tuple(note_view(n) for n in notes),
            history=tuple(activity_view(a) for a in activities),
        )

    async def record_export(self, command: RecordDataExport) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            customer = await self.changes.load(command.customer_id, session=session)
            answered = await self._open_requests(customer.id)
            activity = await self.changes.record(
                customer.id,
                message=command,
                kind=ActivityKind.DATA_EXPORTED,
                at=self.clock(),
                session=session,
                details={
                    "contents": dict(command.contents),
                    "fulfils": [r.model_dump() for r in answered],
                },
            )
            exported = command.caused(
                CustomerDataExported, customer=customer_ref(customer), fulfils=tuple(answered)
            )
            return Outcome.kept(
                reference(customer_id=customer.id, activity_id=activity.id), [exported]
            )

        return await self.unit.run(command, change)

    async def export_recorded(self, ref: Ref) -> DataExportRecorded:
        """What the gateway is answered with: the requests the recorded export fulfils."""
        activity = await self.changes.history.get(ref["activity_id"])
        assert activity is not None, "the export was recorded with this activity"
        fulfils = activity.details.get("fulfils", [])
        return DataExportRecorded(
            customer_id=ref["customer_id"],
            fulfils=tuple(DataRequest.model_validate(r) for r in fulfils),
        )

    async def _open_requests(self, customer_id: str) -> list[DataRequest]:
        """Data requests received since the customer's previous export, oldest first."""
        recent, _ = await self.changes.history.page(
            customer_id,
            actor_type=None,
            kinds=(ActivityKind.DATA_REQUESTED, ActivityKind.DATA_EXPORTED),
            cursor=None,
            limit=MAX_OPEN_REQUESTS,
        )
        open_requests: list[Activity] = []
        for activity in recent:
            if activity.kind is ActivityKind.DATA_EXPORTED:
                break
            open_requests.append(activity)
        return [
            DataRequest(
                channel=a.source["channel"],
                shop=a.source["shop"],
                request_id=a.source["data_request_id"],
            )
            for a in reversed(open_requests)
        ]


async def _every(
    page: Callable[[str | None], Awaitable[tuple[list[T], str | None]]],
) -> list[T]:
    """All items of a paged listing, page after page (an export must be complete)."""
    found: list[T] = []
    cursor: str | None = None
    while True:
        items, cursor = await page(cursor)
        found += items
        if cursor is None:
            return found

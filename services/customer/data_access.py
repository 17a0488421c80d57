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

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.errors import customer_not_found
from services.customer.domain.views import (
    activity_view,
    customer_ref,
    customer_view,
    note_view,
    order_view,
)
from services.customer.paging import every
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.privacy import (
    CustomerDataExported,
    CustomerDataRequested,
    CustomerExport,
    DataExportRecorded,
    DataRequest,
)

if TYPE_CHECKING:
    from services.customer.domain.history import Activity
    from services.customer.note_store import NoteStore
    from services.customer.order_store import OrderStore
    from services.customer.people import People
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.privacy import GetCustomerExport, RecordDataExport, RecordDataRequest
    from shared.mongo import Session

PAGE = 200
# More requests than this between two exports of one person is no longer a person asking.
MAX_OPEN_REQUESTS = 200


@dataclass
class DataAccess:
    transactions: Transactions
    records: Records
    people: People
    orders: OrderStore
    notes: NoteStore

    async def record_request(self, command: RecordDataRequest) -> dict[str, str]:
        request = command.request

        async def body(session: Session) -> Done:
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
                return Done(events=[announced])
            activity = self.records.activity(
                person.id,
                message=command,
                kind=ActivityKind.DATA_REQUESTED,
                at=datetime.now(UTC),
                source={
                    "channel": request.channel,
                    "shop": request.shop,
                    "data_request_id": request.request_id,
                },
                details={"orders_requested": list(command.orders_requested)},
            )
            await self.records.history.add([activity], session=session)
            return Done(ref=reference(customer_id=person.id), events=[announced])

        return await self.transactions.run(command, body)

    async def export(self, query: GetCustomerExport) -> CustomerExport:
        store = self.records.store
        customer = await store.get(query.customer_id)
        if customer is None:
            raise customer_not_found(query.customer_id)
        if customer.merged_into is not None:
            # A tombstone holds nothing; the caller is sent to the master.
            return CustomerExport(customer=customer_view(customer))
        orders = await every(lambda at: self.orders.page(customer.id, cursor=at, limit=PAGE))
        notes = await every(lambda at: self.notes.page(customer.id, cursor=at, limit=PAGE))
        history = await every(
            lambda at: self.records.history.page(
                customer.id, actor_type=None, kinds=(), cursor=at, limit=PAGE
            )
        )
        return CustomerExport(
            customer=customer_view(customer),
            identities=tuple(await store.identity_keys(customer.id)),
            absorbed_ids=tuple(await store.absorbed_by(customer.id)),
            orders=tuple(order_view(o) for o in orders),
            notes=tuple(note_view(n) for n in notes),
            history=tuple(activity_view(a) for a in history),
        )

    async def record_export(self, command: RecordDataExport) -> dict[str, str]:
        async def body(session: Session) -> Done:
            customer = await self.records.load(command.customer_id, session=session)
            now = datetime.now(UTC)
            answered = await self._open_requests(customer.id)
            activity = self.records.activity(
                customer.id,
                message=command,
                kind=ActivityKind.DATA_EXPORTED,
                at=now,
                details={
                    "contents": dict(command.contents),
                    "fulfils": [r.model_dump() for r in answered],
                },
            )
            await self.records.history.add([activity], session=session)
            exported = command.caused(
                CustomerDataExported, customer=customer_ref(customer), fulfils=tuple(answered)
            )
            return Done(
                ref=reference(customer_id=customer.id, activity_id=activity.id),
                events=[exported],
            )

        return await self.transactions.run(command, body)

    async def export_recorded(self, ref: dict[str, str]) -> DataExportRecorded:
        """What the gateway is answered with: the requests the recorded export fulfils."""
        activity = await self.records.history.get(ref["activity_id"])
        assert activity is not None, "the export was recorded with this activity"
        fulfils = activity.details.get("fulfils", [])
        return DataExportRecorded(
            customer_id=ref["customer_id"],
            fulfils=tuple(DataRequest.model_validate(r) for r in fulfils),
        )

    async def _open_requests(self, customer_id: str) -> list[DataRequest]:
        """Data requests received since the customer's previous export, oldest first."""
        recent, _ = await self.records.history.page(
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

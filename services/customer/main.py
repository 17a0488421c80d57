"""Composition root of the customer service: the only place its parts are wired together.

`create_app` is the process (`python -m services.customer`); `asyncapi` is the same wiring as a
FastStream app for its AsyncAPI document:
`faststream docs gen --factory services.customer.main:asyncapi`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from faststream import FastStream
from faststream.specification import AsyncAPI

from services.customer.adapters.custom_fields import MongoCustomFields
from services.customer.adapters.customers import MongoCustomers
from services.customer.adapters.duplicates import MongoDuplicates
from services.customer.adapters.history import MongoHistory
from services.customer.adapters.identities import MongoIdentities
from services.customer.adapters.notes import MongoNotes
from services.customer.adapters.orders import MongoOrders
from services.customer.adapters.statistics import MongoStatistics
from services.customer.adapters.vault import BankVault
from services.customer.entrypoints.requests import request_dispatcher, request_router
from services.customer.entrypoints.work_queue import (
    consent_change_batcher,
    order_batcher,
    work_queue_dispatcher,
    work_queue_router,
)
from services.customer.settings import CustomerSettings
from services.customer.use_cases import CustomerUseCases
from services.customer.use_cases.changes import Changes
from services.customer.use_cases.consent_timeline import ConsentTimeline
from services.customer.use_cases.custom_fields import FieldCommands
from services.customer.use_cases.details import DetailCommands
from services.customer.use_cases.duplicates import DuplicateCommands
from services.customer.use_cases.erasure import ErasureCommands
from services.customer.use_cases.imports import ImportCommands
from services.customer.use_cases.merges import MergeCommands
from services.customer.use_cases.notes import NoteCommands
from services.customer.use_cases.order_batches import OrderBatches
from services.customer.use_cases.orders import OrderCommands
from services.customer.use_cases.people import People
from services.customer.use_cases.ports import (
    ChangedMeanwhile,
    Clock,
    Customers,
    CustomFields,
    Duplicates,
    History,
    Identities,
    Notes,
    Orders,
    SentEvents,
    Statistics,
    Vault,
)
from services.customer.use_cases.profiles import ProfileCommands
from services.customer.use_cases.queries import CustomerQueries
from services.customer.use_cases.reports import Reports
from services.customer.use_cases.right_of_access import RightOfAccess
from services.customer.use_cases.task_timeline import TaskTimeline
from shared.contracts.envelope import utc_now
from shared.health import database_check
from shared.inbox import Inbox
from shared.mongo import make_client
from shared.outbox import Outbox
from shared.redelivery import Redelivery
from shared.runtime import ServiceRuntime, configure_logging, serve
from shared.unit_of_work import BatchRunner, UnitOfWork

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.mongo import Document

NAME = "customer"
# Many consumers updating one customer at once (a burst of one buyer's orders) conflict a lot;
# each conflict is cheap to run again, a parked message is not.
CONFLICT_RETRIES = 10


@dataclass
class Stores:
    """The ports the use cases are built on (MongoDB here, in-memory fakes in unit tests)."""

    customers: Customers
    identities: Identities
    orders: Orders
    history: History
    notes: Notes
    fields: CustomFields
    duplicates: Duplicates
    statistics: Statistics
    sent_events: SentEvents


def wire(runtime: ServiceRuntime, settings: CustomerSettings) -> None:
    """Build the service's parts and attach them to the runtime (subscribers, start, stop)."""
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    db = client[settings.database]
    outbox = Outbox(db["outbox"], runtime.broker, runtime.topology)
    cases, indexes = on_database(client, db, outbox, settings)

    batch = settings.order_batch_size
    at_once = settings.order_batches_at_once
    batcher = order_batcher(
        cases, size=batch, wait_s=settings.order_batch_wait_ms / 1000, concurrency=at_once
    )
    changes_batch = settings.consent_change_batch_size
    changes_at_once = settings.consent_change_batches_at_once
    changes_batcher = consent_change_batcher(
        cases,
        size=changes_batch,
        wait_s=settings.consent_change_batch_wait_ms / 1000,
        concurrency=changes_at_once,
    )
    runtime.broker.include_router(
        work_queue_router(
            runtime.topology,
            work_queue_dispatcher(
                cases,
                orders=batcher if batch > 1 else None,
                consent_changes=changes_batcher if changes_batch > 1 else None,
            ),
            # Room for the batches of each kind that run and one more of each being collected.
            prefetch=max(
                settings.prefetch,
                (at_once + 1) * batch + (changes_at_once + 1) * changes_batch,
            ),
        ),
        middlewares=[Redelivery(runtime.broker, runtime.topology.customer)],
    )
    runtime.broker.include_router(request_router(runtime.topology, request_dispatcher(cases)))
    runtime.checks["database"] = database_check(client)

    runtime.on_start += indexes
    runtime.background.append(outbox.relay)
    runtime.on_stop += [batcher.drain, changes_batcher.drain, client.close]


IndexMakers = list[Callable[[], Coroutine[Any, Any, None]]]


def on_database(
    client: AsyncMongoClient[Document],
    db: AsyncDatabase[Document],
    outbox: Outbox,
    settings: CustomerSettings,
) -> tuple[CustomerUseCases, IndexMakers]:
    """Every use case on the service's database (its stores; the unit of work with its inbox
    and `outbox`), and what makes the indexes of all of them (at start)."""
    inbox = Inbox(db["inbox"])
    stores, indexes = mongo_stores(db, outbox)
    unit = UnitOfWork(
        client, inbox, outbox, conflict_retries=CONFLICT_RETRIES, retry_on=(ChangedMeanwhile,)
    )
    cases = use_cases(
        stores,
        unit,
        clock=utc_now,
        vault=BankVault(settings.bank_data_key.get_secret_value()),
        default_region=settings.default_region,
    )
    return cases, [*indexes, inbox.ensure_indexes, outbox.ensure_indexes]


def mongo_stores(
    db: AsyncDatabase[Document], sent_events: SentEvents
) -> tuple[Stores, IndexMakers]:
    """The stores on the service's database, and what makes their indexes."""
    customers, identities, orders = MongoCustomers(db), MongoIdentities(db), MongoOrders(db)
    history, notes, duplicates = MongoHistory(db), MongoNotes(db), MongoDuplicates(db)
    stores = Stores(
        customers=customers,
        identities=identities,
        orders=orders,
        history=history,
        notes=notes,
        fields=MongoCustomFields(db),
        duplicates=duplicates,
        statistics=MongoStatistics(db),
        sent_events=sent_events,
    )
    indexed = (customers, identities, orders, history, notes, duplicates)

    async def index_custom_fields() -> None:
        for key in await stores.fields.all():
            await customers.index_custom_field(key)

    return stores, [*(store.ensure_indexes for store in indexed), index_custom_fields]


def use_cases(
    stores: Stores, unit: BatchRunner, *, clock: Clock, vault: Vault, default_region: str
) -> CustomerUseCases:
    """Every use case, on these stores and this unit of work."""
    s, region = stores, default_region
    changes = Changes(s.customers, s.history, s.duplicates)
    people = People(s.customers, s.identities, s.orders)
    orders = OrderCommands(unit, changes, s.identities, s.orders, clock, region)
    return CustomerUseCases(
        orders=orders,
        order_batches=OrderBatches(unit, orders),
        imports=ImportCommands(unit, changes, s.identities, s.fields, clock, region),
        profiles=ProfileCommands(unit, changes, s.identities, s.fields, clock, region),
        details=DetailCommands(unit, changes, vault, clock, region),
        merges=MergeCommands(unit, changes, s.identities, s.orders, s.notes, clock),
        erasure=ErasureCommands(
            unit, changes, s.identities, s.notes, s.fields, s.sent_events, people, clock
        ),
        right_of_access=RightOfAccess(
            unit, changes, s.identities, s.orders, s.notes, people, clock
        ),
        notes=NoteCommands(unit, changes, s.notes, clock),
        fields=FieldCommands(unit, s.fields, s.customers, clock),
        duplicates=DuplicateCommands(unit, s.duplicates, clock),
        consent=ConsentTimeline(unit, changes, clock),
        tasks=TaskTimeline(unit, changes, clock),
        queries=CustomerQueries(
            s.customers, s.orders, s.history, s.notes, s.fields, s.duplicates, region
        ),
        reports=Reports(s.statistics, s.duplicates, s.orders),
    )


def create_app(settings: CustomerSettings | None = None) -> FastAPI:
    settings = settings or CustomerSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    wire(runtime, settings)
    return runtime.app(title="customer service")


def asyncapi(settings: CustomerSettings | None = None) -> FastStream:
    """The service's messages as FastStream documents them (nothing is connected or started)."""
    settings = settings or CustomerSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    wire(runtime, settings)
    description = "Customer master data: commands, events it follows, and request/reply."
    return FastStream(
        runtime.broker,
        specification=AsyncAPI(runtime.broker, title="customer service", description=description),
    )


def run() -> None:
    settings = CustomerSettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

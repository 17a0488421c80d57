"""Composition root of the customer service: the only place its parts are wired together."""

from __future__ import annotations

from fastapi import FastAPI

from services.customer.consent_timeline import ConsentTimeline
from services.customer.data_access import DataAccess
from services.customer.details_commands import DetailCommands
from services.customer.duplicate_commands import DuplicateCommands
from services.customer.duplicate_store import DuplicateStore
from services.customer.erasure_commands import ErasureCommands
from services.customer.field_commands import FieldCommands
from services.customer.field_store import FieldStore
from services.customer.handlers import CustomerService, command_router, query_router
from services.customer.history_store import HistoryStore
from services.customer.import_commands import ImportCommands
from services.customer.merge_commands import MergeCommands
from services.customer.note_commands import NoteCommands
from services.customer.note_store import NoteStore
from services.customer.order_import import OrderImport
from services.customer.order_store import OrderStore
from services.customer.people import People
from services.customer.profile_commands import ProfileCommands
from services.customer.queries import CustomerQueries
from services.customer.records import Records
from services.customer.reports import Reports
from services.customer.settings import CustomerSettings
from services.customer.shop_erasure import ShopErasure
from services.customer.store import CustomerStore, StaleRecord
from services.customer.transactions import CONFLICT_RETRIES, Transactions
from services.customer.vault import BankVault
from shared.health import database_check
from shared.inbox import Inbox
from shared.mongo import make_client
from shared.outbox import Outbox
from shared.redelivery import Redelivery
from shared.runtime import ServiceRuntime, configure_logging, serve
from shared.unit_of_work import UnitOfWork

NAME = "customer"


def create_app(settings: CustomerSettings | None = None) -> FastAPI:
    settings = settings or CustomerSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    db = client[settings.database]
    store, orders, history = CustomerStore(db), OrderStore(db), HistoryStore(db)
    notes, fields, duplicates = NoteStore(db), FieldStore(db), DuplicateStore(db)
    inbox = Inbox(db["inbox"])
    outbox = Outbox(db["outbox"], runtime.broker, runtime.topology)
    transactions = Transactions(
        UnitOfWork(
            client,
            inbox,
            outbox,
            conflict_retries=CONFLICT_RETRIES,
            retry_on=(StaleRecord,),
        )
    )
    records = Records(store=store, history=history, duplicates=duplicates)
    region = settings.default_region
    people = People(store, orders)
    erasure = ErasureCommands(transactions, records, notes, fields, people)
    service = CustomerService(
        orders=OrderImport(transactions, records, orders, region),
        imports=ImportCommands(transactions, records, fields, region),
        profiles=ProfileCommands(transactions, records, fields, region),
        details=DetailCommands(
            transactions, records, BankVault(settings.bank_data_key.get_secret_value()), region
        ),
        merges=MergeCommands(transactions, records, orders, notes),
        erasure=erasure,
        shop_erasure=ShopErasure(transactions, records, erasure),
        data_access=DataAccess(transactions, records, people, orders, notes),
        notes=NoteCommands(transactions, records, notes),
        fields=FieldCommands(transactions, fields, store),
        duplicates=DuplicateCommands(transactions, duplicates),
        consent=ConsentTimeline(transactions, records),
        queries=CustomerQueries(store, orders, history, notes, fields, duplicates, region),
        reports=Reports(store, duplicates),
    )

    runtime.broker.include_router(
        command_router(runtime.topology, service),
        middlewares=[Redelivery(runtime.broker, runtime.topology.customer)],
    )
    runtime.broker.include_router(query_router(runtime.topology, service))
    runtime.checks["database"] = database_check(client)

    async def ensure_extra_indexes() -> None:
        for key in await fields.all():
            await store.ensure_extra_index(key)

    runtime.on_start += [
        store.ensure_indexes,
        orders.ensure_indexes,
        history.ensure_indexes,
        notes.ensure_indexes,
        duplicates.ensure_indexes,
        ensure_extra_indexes,
        inbox.ensure_indexes,
        outbox.ensure_indexes,
    ]
    runtime.background.append(outbox.relay)
    runtime.on_stop.append(client.close)
    return runtime.app(title="customer service")


def run() -> None:
    settings = CustomerSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

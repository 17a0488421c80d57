"""Composition root of the consent service: the only place its parts are wired together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.consent.customers import Customers
from services.consent.decisions import ConsentDecisions
from services.consent.double_opt_in import DoubleOptIn, DoubleOptInKeys
from services.consent.erasure import ConsentErasure
from services.consent.handlers import (
    ConsentUseCases,
    inbox_dispatcher,
    inbox_router,
    request_dispatcher,
    request_router,
)
from services.consent.ledger_writer import LEDGER_CONFLICT_RETRIES, LedgerWriter
from services.consent.merges import ConsentMerges
from services.consent.purpose_store import PurposeStore
from services.consent.purposes import ConsentPurposes
from services.consent.queries import ConsentQueries
from services.consent.settings import ConsentSettings
from services.consent.store import ConsentStore
from services.consent.token_store import TokenStore
from shared.contracts.envelope import utc_now
from shared.customer_directory import CustomerDirectory
from shared.health import database_check
from shared.inbox import Inbox
from shared.mongo import make_client
from shared.outbox import Outbox
from shared.redelivery import Redelivery
from shared.runtime import Hook, ServiceRuntime, configure_logging, serve
from shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker
    from pymongo import AsyncMongoClient

    from shared.mongo import Document
    from shared.topology import Topology

NAME = "consent"


@dataclass
class ConsentService:
    """The consent service's parts, without the process around them."""

    directory: CustomerDirectory
    store: ConsentStore
    outbox: Outbox
    cases: ConsentUseCases
    # Run once before messages are consumed: indexes, default purposes.
    start_up: list[Hook]


def assemble(
    client: AsyncMongoClient[Document],
    settings: ConsentSettings,
    broker: RabbitBroker,
    topology: Topology,
) -> ConsentService:
    db = client[settings.database]
    directory = CustomerDirectory(db["customers"])
    store = ConsentStore(db)
    purposes = PurposeStore(db["purposes"])
    tokens = TokenStore(db["double_opt_in"])
    inbox = Inbox(db["inbox"])
    outbox = Outbox(db["outbox"], broker, topology)
    customers = Customers(directory, store)
    unit = UnitOfWork(client, inbox, outbox, conflict_retries=LEDGER_CONFLICT_RETRIES)
    writer = LedgerWriter(store, clock=utc_now)
    cases = ConsentUseCases(
        decisions=ConsentDecisions(
            client=client,
            store=store,
            purposes=purposes,
            customers=customers,
            writer=writer,
            unit=unit,
            clock=utc_now,
        ),
        merges=ConsentMerges(store, directory, writer, unit),
        erasure=ConsentErasure(
            store,
            tokens,
            directory,
            unit,
            pseudonym_key=settings.pseudonym_key.get_secret_value().encode(),
            clock=utc_now,
        ),
        double_opt_in=DoubleOptIn(
            client=client,
            tokens=tokens,
            purposes=purposes,
            customers=customers,
            writer=writer,
            unit=unit,
            keys=DoubleOptInKeys(
                token_secret=settings.token_secret.get_secret_value().encode(),
                mailer_secret=settings.mailer_secret.get_secret_value().encode(),
                confirm_url=settings.confirm_url,
                lifetime=timedelta(seconds=settings.double_opt_in_ttl_s),
            ),
            clock=utc_now,
        ),
        purposes=ConsentPurposes(purposes),
        queries=ConsentQueries(store, purposes, customers, clock=utc_now),
    )
    start_up: list[Hook] = [
        directory.ensure_indexes,
        store.ensure_indexes,
        tokens.ensure_indexes,
        inbox.ensure_indexes,
        outbox.ensure_indexes,
        purposes.seed,
    ]
    return ConsentService(directory, store, outbox, cases, start_up)


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    service = assemble(client, settings, runtime.broker, runtime.topology)

    runtime.broker.include_router(
        inbox_router(runtime.topology, inbox_dispatcher(service.directory, service.cases)),
        middlewares=[Redelivery(runtime.broker, runtime.topology.consent)],
    )
    runtime.broker.include_router(
        request_router(runtime.topology, request_dispatcher(service.cases))
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start += service.start_up
    runtime.background.append(service.outbox.relay)
    runtime.on_stop.append(client.close)
    app = runtime.app(title="consent service")
    # For maintenance from a shell or a test (e.g. rebuilding states from the ledger).
    app.state.consent = service
    return app


def run() -> None:
    settings = ConsentSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

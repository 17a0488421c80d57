"""Composition root of the consent service: the only place its parts are wired together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.consent.adapters.directory import MongoDirectory
from services.consent.adapters.ledger import MongoLedger
from services.consent.adapters.purposes import MongoPurposes
from services.consent.adapters.states import MongoStates
from services.consent.adapters.stored_events import MongoStoredEvents
from services.consent.adapters.tokens import MongoTokens
from services.consent.entrypoints.inbox import (
    decision_batcher,
    directory_batcher,
    inbox_dispatcher,
    inbox_router,
)
from services.consent.entrypoints.requests import request_dispatcher, request_router
from services.consent.settings import ConsentSettings
from services.consent.use_cases import UseCases
from services.consent.use_cases.customers import Customers
from services.consent.use_cases.decisions import Decisions
from services.consent.use_cases.double_opt_in import DoubleOptIn, DoubleOptInKeys
from services.consent.use_cases.erasure import Erasure
from services.consent.use_cases.merges import Merges
from services.consent.use_cases.purposes import PurposeManagement
from services.consent.use_cases.queries import Queries
from services.consent.use_cases.recording import LEDGER_CONFLICT_RETRIES, Recorder
from shared.contracts.envelope import utc_now
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

    cases: UseCases
    outbox: Outbox
    # Run once before messages are consumed: indexes, default purposes.
    start_up: list[Hook]


def assemble(
    client: AsyncMongoClient[Document],
    settings: ConsentSettings,
    broker: RabbitBroker,
    topology: Topology,
) -> ConsentService:
    db = client[settings.database]
    clock = utc_now
    ledger = MongoLedger(db["ledger"])
    states = MongoStates(db["consents"], clock=clock)
    directory = MongoDirectory(db)
    tokens = MongoTokens(db["double_opt_in"])
    purposes = MongoPurposes(db["purposes"], clock=clock)
    inbox = Inbox(db["inbox"])
    outbox = Outbox(db["outbox"], broker, topology)
    unit = UnitOfWork(client, inbox, outbox, conflict_retries=LEDGER_CONFLICT_RETRIES)
    customers = Customers(directory=directory)
    recorder = Recorder(ledger=ledger, states=states, clock=clock)
    cases = UseCases(
        customers=customers,
        decisions=Decisions(
            customers=customers,
            purposes=purposes,
            ledger=ledger,
            states=states,
            recorder=recorder,
            unit=unit,
            clock=clock,
        ),
        double_opt_in=DoubleOptIn(
            tokens=tokens,
            purposes=purposes,
            customers=customers,
            recorder=recorder,
            unit=unit,
            keys=DoubleOptInKeys(
                token_secret=settings.token_secret.get_secret_value().encode(),
                mailer_secret=settings.mailer_secret.get_secret_value().encode(),
                confirm_url=settings.confirm_url,
                lifetime=timedelta(seconds=settings.double_opt_in_ttl_s),
            ),
            clock=clock,
        ),
        merges=Merges(
            customers=customers,
            directory=directory,
            ledger=ledger,
            states=states,
            recorder=recorder,
            unit=unit,
        ),
        erasure=Erasure(
            customers=customers,
            directory=directory,
            ledger=ledger,
            states=states,
            tokens=tokens,
            stored_events=MongoStoredEvents(db["outbox"]),
            unit=unit,
            pseudonym_key=settings.pseudonym_key.get_secret_value().encode(),
            clock=clock,
        ),
        purposes=PurposeManagement(purposes=purposes, unit=unit),
        queries=Queries(
            customers=customers,
            directory=directory,
            ledger=ledger,
            states=states,
            purposes=purposes,
            clock=clock,
        ),
    )
    start_up: list[Hook] = [
        ledger.ensure_indexes,
        states.ensure_indexes,
        directory.ensure_indexes,
        tokens.ensure_indexes,
        inbox.ensure_indexes,
        outbox.ensure_indexes,
        purposes.seed,
    ]
    return ConsentService(cases, outbox, start_up)


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    service = assemble(client, settings, runtime.broker, runtime.topology)

    batch = settings.decision_batch_size
    at_once = settings.decision_batches_at_once
    batcher = decision_batcher(
        service.cases,
        size=batch,
        wait_s=settings.decision_batch_wait_ms / 1000,
        concurrency=at_once,
    )
    learnt = directory_batcher(
        service.cases, size=batch, wait_s=settings.decision_batch_wait_ms / 1000
    )
    runtime.broker.include_router(
        inbox_router(
            runtime.topology,
            inbox_dispatcher(
                service.cases,
                decisions=batcher if batch > 1 else None,
                learnt=learnt if batch > 1 else None,
            ),
            # Room for the batches that run and one more being collected.
            prefetch=max(settings.prefetch, (at_once + 1) * batch),
        ),
        middlewares=[Redelivery(runtime.broker, runtime.topology.consent)],
    )
    runtime.broker.include_router(
        request_router(runtime.topology, request_dispatcher(service.cases))
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start += service.start_up
    runtime.background.append(service.outbox.relay)
    runtime.on_stop += [batcher.drain, learnt.drain, client.close]
    app = runtime.app(title="consent service")
    # For maintenance from a shell or a test (e.g. rebuilding states from the ledger).
    app.state.consent = service
    return app


def run() -> None:
    settings = ConsentSettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

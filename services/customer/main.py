"""Composition root of the customer service: the only place its parts are wired together."""

from __future__ import annotations

from fastapi import FastAPI

from services.customer.commands import CustomerCommands
from services.customer.handlers import command_router, query_router
from services.customer.queries import CustomerQueries
from services.customer.settings import CustomerSettings
from services.customer.store import CustomerStore
from shared.health import database_check
from shared.inbox import Inbox
from shared.mongo import make_client
from shared.outbox import Outbox
from shared.redelivery import Redelivery
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "customer"


def create_app(settings: CustomerSettings | None = None) -> FastAPI:
    settings = settings or CustomerSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    db = client[settings.database]
    store = CustomerStore(db)
    inbox = Inbox(db["inbox"])
    outbox = Outbox(db["outbox"], runtime.broker, runtime.topology)
    commands = CustomerCommands(
        client=client,
        store=store,
        inbox=inbox,
        outbox=outbox,
        default_region=settings.default_region,
    )

    runtime.broker.include_router(
        command_router(runtime.topology, commands),
        middlewares=[Redelivery(runtime.broker, runtime.topology.customer)],
    )
    runtime.broker.include_router(query_router(runtime.topology, CustomerQueries(store)))
    runtime.checks["database"] = database_check(client)
    runtime.on_start += [store.ensure_indexes, inbox.ensure_indexes, outbox.ensure_indexes]
    runtime.background.append(outbox.relay)
    runtime.on_stop.append(client.close)
    return runtime.app(title="customer service")


def run() -> None:
    settings = CustomerSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

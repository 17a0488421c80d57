"""Composition root of the consent service."""

from __future__ import annotations

from fastapi import FastAPI

from services.consent.handlers import event_router
from services.consent.settings import ConsentSettings
from shared.customer_directory import CustomerDirectory
from shared.health import database_check
from shared.mongo import make_client
from shared.redelivery import Redelivery
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "consent"


def create_app(settings: ConsentSettings | None = None) -> FastAPI:
    settings = settings or ConsentSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    db = client[settings.database]
    directory = CustomerDirectory(db["customers"])

    runtime.broker.include_router(
        event_router(runtime.topology, directory),
        middlewares=[Redelivery(runtime.broker, runtime.topology.consent)],
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start.append(directory.ensure_indexes)
    runtime.on_stop.append(client.close)
    return runtime.app(title="consent service")


def run() -> None:
    settings = ConsentSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

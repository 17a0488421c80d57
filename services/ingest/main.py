"""Composition root of ingest.

Webhooks and channel orders are stateless: they answer only after RabbitMQ confirmed. Only bulk
imports keep state, their jobs, in ingest's own small database. That database is deliberately
not part of readiness: webhooks must keep flowing while it is away (only imports then fail).
"""

from __future__ import annotations

from fastapi import FastAPI

from services.ingest.api import orders_router
from services.ingest.channel_orders import channel_orders_router
from services.ingest.imports.api import imports_router
from services.ingest.imports.jobs import ImportJobs
from services.ingest.publishing import Intake
from services.ingest.settings import IngestSettings
from services.ingest.webhooks import webhooks_router
from shared.mongo import make_client
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "ingest"


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    jobs = ImportJobs(client[settings.database]["imports"])
    intake = Intake(runtime.broker, runtime.topology)
    runtime.background.append(jobs.keep_indexes)
    runtime.on_stop.append(client.close)
    return runtime.app(
        title="ingest",
        routers=[
            orders_router(intake),
            webhooks_router(intake, settings),
            channel_orders_router(intake, settings),
            imports_router(intake, jobs, token=settings.import_token),
        ],
    )


def run() -> None:
    settings = IngestSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

"""Composition root of ingest.

Webhooks and channel orders are stateless: they answer only after RabbitMQ confirmed. Only bulk
imports keep state, their jobs, in ingest's own small database. Readiness includes that database:
ingest cannot do all of its work without it (imports), and a readiness that says 200 while a
dependency is down misleads whoever reads it; an orchestrator that routes by it sends webhooks to
another instance, and channels retry what got no answer.
Everything the endpoints depend on is built here, once, and put on the app's state, where the
`Annotated` dependencies of `entrypoints.dependencies` find it.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.ingest.adapters.import_jobs import ImportJobs
from services.ingest.adapters.publisher import BrokerPublisher
from services.ingest.entrypoints import ROUTERS, STREAMED, install_ingest_problems
from services.ingest.settings import IngestSettings
from services.ingest.use_cases.intake import Intake
from shared.health import database_check
from shared.http_limits import install_request_limits
from shared.mongo import make_client
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "ingest"


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    jobs = ImportJobs(client[settings.database]["imports"])
    runtime.background.append(jobs.keep_indexes)
    runtime.on_stop.append(client.close)
    runtime.checks["database"] = database_check(client)
    app = runtime.app(title="ingest", routers=ROUTERS)
    install_ingest_problems(app)
    install_request_limits(
        app,
        max_body_bytes=settings.max_order_bytes,
        max_json_depth=settings.max_json_depth,
        streamed={path: settings.max_import_bytes for path in STREAMED},
    )
    app.state.settings = settings
    app.state.intake = Intake(BrokerPublisher(runtime.broker, runtime.topology))
    app.state.import_jobs = jobs
    return app


def run() -> None:
    settings = IngestSettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

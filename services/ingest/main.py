"""Composition root of ingest: stateless, it owns no database."""

from __future__ import annotations

from fastapi import FastAPI

from services.ingest.api import orders_router
from services.ingest.settings import IngestSettings
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "ingest"


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    return runtime.app(title="ingest", routers=[orders_router(runtime.broker, runtime.topology)])


def run() -> None:
    settings = IngestSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

"""Composition root of the tasks service."""

from __future__ import annotations

from fastapi import FastAPI

from services.tasks.handlers import event_router
from services.tasks.settings import TasksSettings
from shared.customer_directory import CustomerDirectory
from shared.health import database_check
from shared.mongo import make_client
from shared.redelivery import Redelivery
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "tasks"


def create_app(settings: TasksSettings | None = None) -> FastAPI:
    settings = settings or TasksSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    db = client[settings.database]
    directory = CustomerDirectory(db["customers"])

    runtime.broker.include_router(
        event_router(runtime.topology, directory),
        middlewares=[Redelivery(runtime.broker, runtime.topology.tasks)],
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start.append(directory.ensure_indexes)
    runtime.on_stop.append(client.close)
    return runtime.app(title="tasks service")


def run() -> None:
    settings = TasksSettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

"""Composition root of the gateway: it owns no data and asks the services over RabbitMQ."""

from __future__ import annotations

from fastapi import FastAPI

from services.gateway.consents import consents_router
from services.gateway.custom_fields import custom_fields_router
from services.gateway.customer_details import customer_details_router
from services.gateway.customers import customers_router
from services.gateway.duplicates import duplicates_router
from services.gateway.exports import exports_router
from services.gateway.imports import imports_router
from services.gateway.notes import notes_router
from services.gateway.reports import reports_router
from services.gateway.services import Services
from services.gateway.settings import GatewaySettings
from shared.rpc import RpcClient
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "gateway"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    runtime = ServiceRuntime.create(NAME, settings)
    rpc = RpcClient(runtime.broker, runtime.topology, timeout_s=settings.rpc_timeout_s)
    services = Services(rpc)
    return runtime.app(
        title="customer suite API",
        routers=[
            customers_router(services),
            exports_router(services),
            customer_details_router(services),
            notes_router(services),
            custom_fields_router(services),
            duplicates_router(services),
            reports_router(services),
            consents_router(services),
            imports_router(settings),
        ],
    )


def run() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level)
    serve(create_app(settings), settings)

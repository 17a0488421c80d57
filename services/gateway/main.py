"""Composition root of the gateway: it owns no data and asks the services over RabbitMQ.

Everything the endpoints depend on is built here, once, and put on the app's state, where the
`Annotated` dependencies of `entrypoints.dependencies` find it.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.gateway.adapters.ingest_client import IngestClient
from services.gateway.adapters.services_client import ServicesClient
from services.gateway.entrypoints import ROUTERS
from services.gateway.settings import GatewaySettings
from shared.http_limits import Answers, install_request_limits
from shared.rpc import RpcClient
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "gateway"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    runtime = ServiceRuntime.create(NAME, settings)
    rpc = RpcClient(runtime.broker, runtime.topology, timeout_s=settings.rpc_timeout_s)
    app = runtime.app(title="customer suite API", routers=ROUTERS)
    install_request_limits(
        app,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        streamed={"/v1/imports": settings.max_import_bytes},
        open_query={"/v1/customers": ("extra.",)},
        answers=Answers(every=(503,), naming_a_record=(404,), changing=(409,)),
    )
    app.state.services = ServicesClient(rpc)
    app.state.ingest = IngestClient(settings.ingest_url, settings.ingest_token)
    return app


def run() -> None:
    settings = GatewaySettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

"""Composition root of the order pullers: the only place their parts are wired together."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI

from services.pullers.adapters.channels.adobe_commerce import AdobeCommerceOrders
from services.pullers.adapters.channels.amazon import AmazonOrders
from services.pullers.adapters.channels.calls import Retrying
from services.pullers.adapters.channels.ebay import EbayOrders
from services.pullers.adapters.ingest import IngestClient
from services.pullers.adapters.integration_store import MongoIntegrationStore
from services.pullers.entrypoints.polling import poll_forever
from services.pullers.entrypoints.requests import request_dispatcher, request_router
from services.pullers.settings import (
    AdobeCommerceSettings,
    AmazonSettings,
    EbaySettings,
    Integration,
    PullersSettings,
)
from services.pullers.use_cases.parked import ReplayParked
from services.pullers.use_cases.ports import Channel
from services.pullers.use_cases.pulling import PullOrders
from services.pullers.use_cases.reporting import IntegrationReports
from shared.contracts.envelope import utc_now
from shared.health import database_check
from shared.mongo import make_client
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "pullers"


def channel_for(
    integration: Integration,
    http: httpx.AsyncClient,
    retrying: Retrying,
    clock: Callable[[], datetime],
) -> Channel:
    if isinstance(integration, AmazonSettings):
        return AmazonOrders(integration, http, retrying, clock)
    if isinstance(integration, EbaySettings):
        return EbayOrders(integration, http, retrying, clock)
    assert isinstance(integration, AdobeCommerceSettings)
    return AdobeCommerceOrders(integration, http, retrying, clock)


def replica_name() -> str:
    """Who holds a lease: readable in the integration's state, unique per process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def create_app(settings: PullersSettings | None = None) -> FastAPI:
    settings = settings or PullersSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    store = MongoIntegrationStore(client[settings.database])
    http = httpx.AsyncClient(timeout=settings.http_timeout_s)
    retrying = Retrying(attempts=settings.attempts, backoff_s=settings.backoff_s)
    ingest = IngestClient(settings.ingest_url, http, retrying)
    integrations = {i.name: i for i in settings.integrations}
    channels = {
        name: channel_for(integration, http, retrying, utc_now)
        for name, integration in integrations.items()
    }
    pulling = PullOrders(
        store=store,
        ingest=ingest,
        clock=utc_now,
        owner=replica_name(),
        lease=timedelta(seconds=settings.lease_s),
    )
    reports = IntegrationReports(integrations, channels, store, clock=utc_now)
    replay = ReplayParked(store, ingest, clock=utc_now)

    async def ensure_integrations() -> None:
        await store.ensure(list(integrations))

    async def poll() -> None:
        await poll_forever(pulling, integrations, channels)

    runtime.broker.include_router(
        request_router(runtime.topology, request_dispatcher(reports, replay))
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start.append(ensure_integrations)
    runtime.background.append(poll)
    runtime.on_stop += [http.aclose, client.close]
    return runtime.app(title="order pullers")


def run() -> None:
    settings = PullersSettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

"""How a service process lives: logging, start-up order, background tasks, clean shutdown.

Every service is an ASGI app served by uvicorn, so all five expose the same health endpoints and
stop the same way: on SIGTERM uvicorn stops taking requests, then the lifespan stops the broker,
which lets in-flight handlers finish within the graceful timeout (or cancels them, and RabbitMQ
delivers their unacknowledged messages again), then background tasks and clients are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn
from fastapi import APIRouter, FastAPI, Response
from faststream.rabbit import RabbitQueue
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from shared import logs, metrics
from shared.broker import make_broker
from shared.health import Check, broker_check, health_router
from shared.observe import RequestObservation
from shared.problems import install_problem_handlers
from shared.telemetry import setup_tracing
from shared.topology import Topology, declare

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker
    from opentelemetry.sdk.trace import TracerProvider

    from shared.settings import ServiceSettings

# How often a consumer asks RabbitMQ how many messages wait in its work queue.
QUEUE_DEPTH_EVERY_S = 5.0
Hook = Callable[[], Coroutine[Any, Any, None]]
log = logging.getLogger(__name__)


def configure_logging(settings: ServiceSettings, service: str) -> None:
    """Every line of the process, redacted, as JSON or readable text (`LOG_FORMAT`)."""
    logs.configure_logging(settings.log_level, service=service, log_format=settings.log_format)


@dataclass
class ServiceRuntime:
    """The parts every service has; its composition root adds its own and builds the app."""

    name: str
    settings: ServiceSettings
    topology: Topology
    tracer: TracerProvider
    broker: RabbitBroker
    checks: dict[str, Check] = field(default_factory=dict)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    background: list[Hook] = field(default_factory=list)

    @classmethod
    def create(cls, name: str, settings: ServiceSettings) -> ServiceRuntime:
        tracer = setup_tracing(
            name, otlp_endpoint=settings.otlp_endpoint, environment=settings.environment.value
        )
        broker = make_broker(settings, service=name, tracer_provider=tracer)
        runtime = cls(
            name=name,
            settings=settings,
            topology=Topology(settings.broker_namespace, settings.broker_retry_delay_ms),
            tracer=tracer,
            broker=broker,
        )
        runtime.checks["broker"] = broker_check(broker)
        work_queue = next(
            (
                q
                for q in runtime.topology.consumers
                if q.name == f"{runtime.topology.namespace}.{name}"
            ),
            None,
        )
        if work_queue is not None:
            runtime.background.append(lambda: report_queue_depth(broker, name, work_queue.name))
        return runtime

    @contextlib.asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        await self.broker.connect()
        await declare(self.broker, self.topology)
        for hook in self.on_start:
            await hook()
        await self.broker.start()
        tasks = [
            asyncio.create_task(job(), name=f"{self.name}-background") for job in self.background
        ]
        log.info("%s ready on %s:%d", self.name, self.settings.host, self.settings.port)
        try:
            yield
        finally:
            log.info("%s stopping: finishing in-flight messages", self.name)
            await self.broker.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for hook in self.on_stop:
                await hook()
            log.info("%s stopped", self.name)

    def app(self, *, title: str, routers: Sequence[APIRouter] = ()) -> FastAPI:
        app = FastAPI(title=title, lifespan=self.lifespan)
        install_problem_handlers(app)
        app.include_router(health_router(self.checks))
        app.include_router(metrics_router())
        for router in routers:
            app.include_router(router)
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=self.tracer, excluded_urls="health/live,health/ready"
        )
        # Outermost: the request id is bound for every line logged while the request runs.
        app.add_middleware(RequestObservation, service=self.name, router=app.router)
        return app


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", response_class=Response, include_in_schema=False)
    async def scrape() -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return router


async def report_queue_depth(broker: RabbitBroker, service: str, queue: str) -> None:
    """Run until cancelled: the work queue's ready messages, as RabbitMQ counts them."""
    gauge = metrics.QUEUE_DEPTH.labels(service, queue)
    declared = None
    while True:
        try:
            if declared is None:
                # Passive: only asks; the topology declared the queue with its arguments.
                declared = await broker.declare_queue(RabbitQueue(queue, declare=False))
            result = await declared.declare()
            gauge.set(result.message_count or 0)
        except Exception as error:  # noqa: BLE001 - a broker outage only pauses the metric
            declared = None
            log.debug("queue depth of %s unknown: %s", queue, error)
        await asyncio.sleep(QUEUE_DEPTH_EVERY_S)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # Uvicorn waits this long for open HTTP requests; the broker gets its own timeout after.
        timeout_graceful_shutdown=max(1, int(settings.graceful_timeout_s)),
    )

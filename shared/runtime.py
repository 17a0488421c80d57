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
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import uvicorn
from aiormq.exceptions import AMQPConnectionError
from fastapi import APIRouter, Depends, FastAPI, Query, Response
from fastapi.middleware import Middleware
from faststream.rabbit import RabbitQueue
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pymongo.errors import ConnectionFailure as PyMongoConnectionFailure

from shared import logs, metrics
from shared.broker import make_broker
from shared.health import Check, broker_check, health_router
from shared.json_bodies import strict_json_body
from shared.observe import RequestObservation
from shared.problems import install_problem_handlers
from shared.telemetry import setup_metrics, setup_tracing
from shared.topology import Topology, declare

if TYPE_CHECKING:
    from types import FrameType

    from faststream.rabbit import RabbitBroker
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider
    from starlette.types import ASGIApp

    from shared.settings import ServiceSettings

# How often a consumer asks RabbitMQ how many messages wait in its work queue.
QUEUE_DEPTH_EVERY_S = 5.0
# How long a stop waits for each of its hooks (a batch to finish, the database client to
# close). A database that does not answer must not keep the process from stopping: what a batch
# held is not acknowledged, so RabbitMQ delivers it again, and the inbox knows what committed.
STOP_HOOK_TIMEOUT_S = 15.0
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
    # OpenTelemetry metrics over OTLP, when an endpoint is set.
    meter: MeterProvider | None = None
    checks: dict[str, Check] = field(default_factory=dict)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    background: list[Hook] = field(default_factory=list)

    @classmethod
    def create(cls, name: str, settings: ServiceSettings) -> ServiceRuntime:
        tracer = setup_tracing(
            name, otlp_endpoint=settings.otlp_endpoint, environment=settings.environment.value
        )
        meter = setup_metrics(
            name, otlp_endpoint=settings.otlp_endpoint, environment=settings.environment.value
        )
        broker = make_broker(settings, service=name, tracer_provider=tracer, meter_provider=meter)
        runtime = cls(
            name=name,
            settings=settings,
            topology=Topology(settings.broker_namespace, settings.broker_retry_delay_ms),
            tracer=tracer,
            broker=broker,
            meter=meter,
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
        # A service started before RabbitMQ or MongoDB is up waits for them (`until_up`).
        await until_up("RabbitMQ", self.broker.connect)
        await until_up("RabbitMQ", lambda: declare(self.broker, self.topology))
        for hook in self.on_start:
            await until_up("its database", hook)
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
                await run_stop_hook(hook)
            log.info("%s stopped", self.name)

    def app(self, *, title: str, routers: Sequence[APIRouter] = ()) -> FastAPI:
        # Every JSON body is held to the types its document states (`shared.json_bodies`).
        app = _ObservedApp(
            title=title, lifespan=self.lifespan, dependencies=[Depends(strict_json_body)]
        )
        # The parts behind the app, for what documents it (`tools.api_docs`).
        app.state.runtime = self
        install_problem_handlers(app)
        app.include_router(health_router(self.checks))
        app.include_router(metrics_router())
        for router in routers:
            app.include_router(router)
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.tracer,
            meter_provider=self.meter,
            excluded_urls="health/live,health/ready,/metrics$",
            # One span per request, not three: the spans of each ASGI send and receive say
            # nothing the request's span does not, and cost a lookup a share of its time.
            exclude_spans=["receive", "send"],
        )
        return app


async def run_stop_hook(hook: Hook) -> None:
    """Run a hook of the stop, giving up after STOP_HOOK_TIMEOUT_S."""
    try:
        await asyncio.wait_for(hook(), STOP_HOOK_TIMEOUT_S)
    except TimeoutError:
        log.warning(
            "gave up on %s after %.0f s: what it held comes back from the queue",
            getattr(hook, "__qualname__", hook),
            STOP_HOOK_TIMEOUT_S,
        )


class _ObservedApp(FastAPI):
    """Each request is observed outside every middleware a service adds after `app()` (limits,
    authentication, load shedding): the request id is bound for every line logged while it
    runs, and a request those refuse is counted in the metrics too. (Inside Starlette's error
    middleware, which OpenTelemetry's instrumentation expects outermost.)"""

    observed = False

    def build_middleware_stack(self) -> ASGIApp:
        if not self.observed:  # built once; if ever again, observed once all the same
            runtime: ServiceRuntime = self.state.runtime
            self.user_middleware.insert(0, Middleware(RequestObservation, service=runtime.name))
            self.observed = True
        return super().build_middleware_stack()


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", response_class=Response, include_in_schema=False)
    async def scrape(
        names: Annotated[list[str] | None, Query(alias="name[]", max_length=100)] = None,
    ) -> Response:
        # `name[]=...` asks for some series only, as Prometheus' federation does.
        body, content_type = metrics.exposition(names or ())
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


# Waits between attempts to reach a dependency at start-up: doubling, at most this long.
FIRST_WAIT_S = 0.5
MAX_WAIT_S = 10.0


def unreachable(error: BaseException) -> bool:
    """A dependency that is not (yet) up, as opposed to a mistake that waiting does not fix."""
    if isinstance(error, PyMongoConnectionFailure | ConnectionError | TimeoutError | OSError):
        return True
    return isinstance(error, AMQPConnectionError)


# Set when the process is told to stop (SIGTERM, SIGINT): a start-up still waiting gives up.
_stop_requested = threading.Event()


class StartupAbandoned(Exception):
    """The process was told to stop while it still waited for a dependency."""


async def until_up(what: str, step: Callable[[], Awaitable[Any]]) -> None:
    """Run a start-up step, again and again with back-off while `what` cannot be reached."""
    wait = FIRST_WAIT_S
    while True:
        try:
            await step()
            return
        except Exception as error:
            if not unreachable(error):
                raise
            log.warning(
                "waiting for %s (%s: %s); trying again in %.1f s",
                what,
                type(error).__name__,
                str(error)[:200],
                wait,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if _stop_requested.is_set():
                raise StartupAbandoned(f"told to stop while waiting for {what}")
            await asyncio.sleep(0.1)
        wait = min(wait * 2, MAX_WAIT_S)


class _Server(uvicorn.Server):
    """Uvicorn only looks at a stop signal once start-up is over; `until_up` looks at once."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        _stop_requested.set()
        super().handle_exit(sig, frame)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # Uvicorn waits this long for open HTTP requests; the broker gets its own timeout after.
        timeout_graceful_shutdown=max(1, int(settings.graceful_timeout_s)),
    )
    _Server(config).run()

"""Tracing: one trace from the webhook through the broker to every consumer's database calls.

FastAPI requests, FastStream publishes and consumes (the broker's telemetry middleware carries
the W3C trace context in message headers) and PyMongo commands all report to one tracer
provider per process. Spans are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is
set; without it a trace the process starts is not recorded: its spans still have their trace
and span ids (they reach the logs and the messages' headers) but keep nothing else. Every span
names its service, the suite's version and the environment (`SUITE_ENVIRONMENT`).

With the endpoint set, OpenTelemetry's own metrics go there too (`setup_metrics`): FastStream's
`messaging.*` and the FastAPI instrumentation's `http.server.*`, every
`OTEL_METRIC_EXPORT_INTERVAL` ms (60 s by default). The suite's own metrics, which the dashboard
and the alerts read, are scraped from `/metrics` (`shared/metrics.py`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics import MeterProvider


def suite_version() -> str:
    try:
        return version("customer-suite")
    except PackageNotFoundError:
        return "unknown"


def resource_of(service: str, environment: str) -> Resource:
    return Resource.create(
        {
            "service.name": service,
            "service.version": suite_version(),
            # Both spellings: older backends read the first, the current conventions the second.
            "deployment.environment": environment,
            "deployment.environment.name": environment,
        }
    )


def setup_metrics(
    service: str, *, otlp_endpoint: str | None, environment: str = "development"
) -> MeterProvider | None:
    """A meter provider exporting over OTLP, or None (no endpoint: the no-op default)."""
    if not otlp_endpoint:
        return None
    # The exporters and the metrics SDK are imported only with an endpoint: they bring protobuf
    # and the generated OTLP messages (3 MB resident in the gateway), which a process without
    # one never uses.
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    exporter = OTLPMetricExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/metrics")
    return MeterProvider(
        resource=resource_of(service, environment),
        metric_readers=[PeriodicExportingMetricReader(exporter)],
    )


def setup_tracing(
    service: str, *, otlp_endpoint: str | None, environment: str = "development"
) -> TracerProvider:
    # Without an endpoint nothing is exported, so the traces this process starts are not
    # recorded: a recorded span keeps its attributes, events and locks while it is open, and with
    # hundreds of requests waiting on the services that was a third of the gateway's growth
    # (a caller's sampled trace is still recorded and passed on, for services that export).
    sampler = None if otlp_endpoint else ParentBased(root=ALWAYS_OFF)
    provider = TracerProvider(resource=resource_of(service, environment), sampler=sampler)
    if otlp_endpoint:
        # Imported only with an endpoint, as in `setup_metrics`.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    instrumentor = PymongoInstrumentor()
    # PyMongo's command listeners are process-wide: instrument once per process.
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)
    return provider

"""Tracing: one trace from the webhook through the broker to every consumer's database calls.

FastAPI requests, FastStream publishes and consumes (the broker's telemetry middleware carries
the W3C trace context in message headers) and PyMongo commands all report to one tracer
provider per process. Spans are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is
set; without it they are created (so trace ids still reach the logs) and dropped. Every span
names its service, the suite's version and the environment (`SUITE_ENVIRONMENT`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def suite_version() -> str:
    try:
        return version("customer-suite")
    except PackageNotFoundError:
        return "unknown"


def setup_tracing(
    service: str, *, otlp_endpoint: str | None, environment: str = "development"
) -> TracerProvider:
    resource = Resource.create(
        {
            "service.name": service,
            "service.version": suite_version(),
            # Both spellings: older backends read the first, the current conventions the second.
            "deployment.environment": environment,
            "deployment.environment.name": environment,
        }
    )
    provider = TracerProvider(resource=resource)
    if otlp_endpoint:
        exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    instrumentor = PymongoInstrumentor()
    # PyMongo's command listeners are process-wide: instrument once per process.
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)
    return provider

"""A minimal OTLP/HTTP trace receiver: what an OpenTelemetry collector would get from the suite."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class SpanRecord:
    """One received span, with its resource's attributes and its own (string-valued)."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    resource: dict[str, str]
    attributes: dict[str, str]

    @property
    def service(self) -> str:
        return self.resource.get("service.name", "?")


def _attributes(pairs: Iterable[Any]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        value = pair.value
        field = value.WhichOneof("value")
        found[pair.key] = str(getattr(value, field)) if field else ""
    return found


class Spans:
    def __init__(self) -> None:
        self.records: list[SpanRecord] = []
        self._lock = threading.Lock()
        # trace id -> service names that reported a span in it
        self.services_by_trace: dict[str, set[str]] = defaultdict(set)
        self.names_by_trace: dict[str, list[str]] = defaultdict(list)

    def add(self, request: ExportTraceServiceRequest) -> None:
        with self._lock:
            for resource_spans in request.resource_spans:
                service = next(
                    (
                        a.value.string_value
                        for a in resource_spans.resource.attributes
                        if a.key == "service.name"
                    ),
                    "?",
                )
                resource = _attributes(resource_spans.resource.attributes)
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        trace_id = span.trace_id.hex()
                        self.records.append(
                            SpanRecord(
                                trace_id=trace_id,
                                span_id=span.span_id.hex(),
                                parent_id=span.parent_span_id.hex(),
                                name=span.name,
                                kind=span.kind,
                                resource=resource,
                                attributes=_attributes(span.attributes),
                            )
                        )
                        self.services_by_trace[trace_id].add(service)
                        self.names_by_trace[trace_id].append(f"{service}: {span.name}")

    def in_trace(self, trace_id: str) -> list[SpanRecord]:
        with self._lock:
            return [r for r in self.records if r.trace_id == trace_id]

    def traces_spanning(self, services: set[str]) -> list[str]:
        with self._lock:
            return [t for t, found in self.services_by_trace.items() if services <= found]


@contextmanager
def otlp_receiver(port: int) -> Iterator[Spans]:
    spans = Spans()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/v1/traces":
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                spans.add(request)
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield spans
    finally:
        server.shutdown()
        server.server_close()

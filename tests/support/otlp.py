"""A minimal OTLP/HTTP trace receiver: what an OpenTelemetry collector would get from the suite."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


class Spans:
    def __init__(self) -> None:
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
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        trace_id = span.trace_id.hex()
                        self.services_by_trace[trace_id].add(service)
                        self.names_by_trace[trace_id].append(f"{service}: {span.name}")

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

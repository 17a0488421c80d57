"""What every consumed message and every HTTP request leaves behind: log context and metrics.

`MessageObservation` is a broker middleware (outermost after tracing): each message's log lines
carry its `message_id` and `correlation_id`; a message taken from a work or request queue is
counted received, then processed or failed, and its handling time observed. A consumer's
`Redelivery` swallows a failure (it retries or parks the message), so it reports the failure
here with `message_failed`.

`RequestObservation` is an ASGI middleware: each request's log lines carry a `request_id` (the
caller's `X-Request-ID` when it sends a sane one, else a new one, echoed in the response), and
the request is counted by its route's template, method and status.
"""

from __future__ import annotations

import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faststream import BaseMiddleware
from opentelemetry import trace

from shared import metrics
from shared.logs import bound
from shared.route_templates import Templates, template_of, templates

if TYPE_CHECKING:
    from faststream._internal.basic_types import AsyncFuncAny
    from faststream._internal.context.repository import ContextRepo
    from faststream.message import StreamMessage
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
# A caller's request id is logged: only a short token, never free text.
_SANE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
# The gateway's private reply queue (one per process, random name) is no work queue.
_REPLY_QUEUE = ".replies."


@dataclass
class _Outcome:
    service: str
    queue: str
    failed: bool = False


_current: ContextVar[_Outcome | None] = ContextVar("suite_message_outcome", default=None)


def message_failed(*, retried: bool) -> None:
    """The message being handled failed; it goes to the retry queue or is parked."""
    outcome = _current.get()
    if outcome is None:
        return
    outcome.failed = True
    counter = metrics.MESSAGES_RETRIED if retried else metrics.MESSAGES_PARKED
    counter.labels(outcome.service, outcome.queue).inc()


class MessageObservation:
    """Broker middleware factory: give `MessageObservation(service)` to the broker."""

    def __init__(self, service: str) -> None:
        self.service = service

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> _MessageScope:
        return _MessageScope(msg, context=context, service=self.service)


class _MessageScope(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: ContextRepo, service: str) -> None:
        super().__init__(msg, context=context)
        self.service = service

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        with bound(message_id=msg.message_id, correlation_id=msg.correlation_id):
            queue = _queue_of(self.context.get_local("handler_"))
            if queue is None:
                return await call_next(msg)
            return await self._observed(call_next, msg, queue)

    async def _observed(self, call_next: AsyncFuncAny, msg: StreamMessage[Any], queue: str) -> Any:
        kind = metrics.message_type(msg)
        # FastStream names the exchange the message came through; the conventions want the
        # queue it was taken from as the consumer's destination.
        trace.get_current_span().set_attribute("messaging.destination.name", queue)
        metrics.MESSAGES_RECEIVED.labels(self.service, queue, kind).inc()
        outcome = _Outcome(self.service, queue)
        token = _current.set(outcome)
        started = time.perf_counter()
        try:
            result = await call_next(msg)
        except Exception:
            outcome.failed = True
            raise
        finally:
            _current.reset(token)
            metrics.HANDLER_DURATION.labels(self.service, queue).observe(
                time.perf_counter() - started
            )
            counter = metrics.MESSAGES_FAILED if outcome.failed else metrics.MESSAGES_PROCESSED
            counter.labels(self.service, queue, kind).inc()
        return result


def _queue_of(subscriber: Any) -> str | None:
    name = getattr(getattr(subscriber, "queue", None), "name", None)
    if not isinstance(name, str) or _REPLY_QUEUE in name:
        return None
    return name


class RequestObservation:
    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self._templates: Templates | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        # For what runs inside (the gateway's access log names the request by it).
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        try:
            with bound(request_id=request_id):
                await self.app(scope, receive, send_observed)
        finally:
            route, method = self._route(scope), scope["method"]
            metrics.HTTP_REQUESTS.labels(self.service, route, method, str(status)).inc()
            metrics.HTTP_DURATION.labels(self.service, route, method).observe(
                time.perf_counter() - started
            )

    def _route(self, scope: Scope) -> str:
        """The template of the route that answered; never the path (it holds ids)."""
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        # Answered before routing (refused by the limits, authentication or load shedding).
        if self._templates is None:
            self._templates = templates(scope["app"].openapi())
        return template_of(self._templates, scope["path"]) or metrics.UNMATCHED_ROUTE


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _SANE_REQUEST_ID.match(value):
            return str(value.decode())
    return uuid.uuid4().hex

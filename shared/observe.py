"""What every consumed message and every HTTP request leaves behind: log context and metrics.

`MessageObservation` is a broker middleware: each message's log lines carry its `message_id`
and `correlation_id`.
`RequestObservation` is an ASGI middleware: each request's log lines carry a `request_id` (the
caller's `X-Request-ID` when it sends a sane one, else a new one, echoed in the response).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from faststream import BaseMiddleware

from shared.logs import bound

if TYPE_CHECKING:
    from faststream._internal.basic_types import AsyncFuncAny
    from faststream.message import StreamMessage
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
# A caller's request id is logged: only a short token, never free text.
_SANE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


class MessageObservation(BaseMiddleware):
    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        with bound(message_id=msg.message_id, correlation_id=msg.correlation_id):
            return await call_next(msg)


class RequestObservation:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", ()),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        with bound(request_id=request_id):
            await self.app(scope, receive, send_with_id)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _SANE_REQUEST_ID.match(value):
            return str(value.decode())
    return uuid.uuid4().hex

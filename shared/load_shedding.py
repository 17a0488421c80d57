"""A cap on the HTTP requests a service handles at once: past it, a request is answered at once
with 503 and `Retry-After: 1` instead of waiting in line.

A service asked faster than what is behind it can answer (searches on a slow database) would
otherwise take every request: each holds memory while it waits, all of them wait longer, and
they fail only at the request/reply timeout, seconds later. Refused at the door, the requests in
hand stay fast and the rest are told at once to come back, as a load balancer does.

Liveness, readiness and the metrics scrape are never refused and not counted, so that the
orchestrator and the monitoring see the service as it is while it sheds.

A request counts until the app is done with it: answered, failed, cancelled, or its client gone
(the app then still works until its own answer or timeout, and so does the count).

How a refusal is answered is the service's to say (`refusal`); by default the problem `busy`.

Uvicorn's `limit_concurrency` is not this: it counts connections as well as requests, answers
in plain text, and would refuse the health checks too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared import metrics
from shared.problems import problem_response, unavailable

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

# `shared.health` and the runtime's scrape: what orchestration and monitoring ask.
NEVER_SHED = frozenset({"/health/live", "/health/ready", "/metrics"})
# A second is long against a healthy answer (tens of milliseconds) and short against a client's
# patience; a caller told so comes back once a share of the requests in hand are answered.
RETRY_AFTER_S = 1
# The same to everyone, authenticated or not: the service is busy, and nothing more (not the
# cap, not how many wait).
BUSY = unavailable(
    "Busy",
    "More requests are in progress than are taken at once; nothing was done. Try again shortly.",
    kind="busy",
    retry_after_s=RETRY_AFTER_S,
)


def busy(_: Scope) -> ASGIApp:
    """The refusal of any request: the problem `busy`, 503 with `Retry-After`."""
    return problem_response(BUSY.problem, headers=BUSY.headers)


class LoadShedding:
    """The ASGI middleware: at most `limit` HTTP requests of `app` in progress at once; past it
    a request is answered what `refusal` makes of it (503 with `Retry-After`, as `BUSY`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        limit: int,
        refusal: Callable[[Scope], ASGIApp] = busy,
    ) -> None:
        if limit < 1:
            raise ValueError(f"a cap of {limit} requests would refuse every request")
        self.app = app
        self.limit = limit
        self.refusal = refusal
        self.in_flight = 0
        self._gauge = metrics.HTTP_IN_FLIGHT.labels(service)
        self._shed = metrics.HTTP_SHED.labels(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NEVER_SHED:
            await self.app(scope, receive, send)
            return
        # No await between the check and the count: one event loop, no other request between.
        if self.in_flight >= self.limit:
            self._shed.inc()
            await self.refusal(scope)(scope, receive, send)
            return
        self.in_flight += 1
        self._gauge.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self._gauge.dec()

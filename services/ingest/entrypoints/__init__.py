"""Ingest's HTTP entry points: the canonical order API, the shops' webhooks, the orders
integrations pull, and bulk imports. Each reads and authenticates the request, hands the payload
to the intake, and answers only once RabbitMQ confirmed what it published."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.ingest.domain.integrations import ForeignOrder
from services.ingest.entrypoints import channel_orders, imports, orders, webhooks
from services.ingest.use_cases.intake import BrokerUnavailable
from shared.contracts.replies import Problem
from shared.problems import problem_response, unavailable

ROUTERS = (orders.router, webhooks.router, channel_orders.router, imports.router)
# Routes that read their body as a stream, under the larger limit of bulk files.
STREAMED = ("/v1/imports",)


def install_ingest_problems(app: FastAPI) -> None:
    """Nothing published is nothing accepted: 503, and the channel sends it again. An order that
    is not the integration's to send: 403 naming the field that says whose it is."""

    async def on_foreign_order(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ForeignOrder)
        problem = Problem(
            type="urn:problem:forbidden",
            title="Forbidden",
            status=403,
            detail=f"Not an order of this integration: {error}",
            errors=error.errors,
        )
        return problem_response(problem)

    async def on_broker_unavailable(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BrokerUnavailable)
        refusal = unavailable(
            "Order not accepted: message broker unavailable",
            "The order was not stored; send it again later.",
            kind="broker-unavailable",
        )
        return problem_response(refusal.problem, headers=refusal.headers)

    app.add_exception_handler(BrokerUnavailable, on_broker_unavailable)
    app.add_exception_handler(ForeignOrder, on_foreign_order)

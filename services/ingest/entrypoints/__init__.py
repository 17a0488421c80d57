"""Ingest's HTTP entry points: the canonical order API, the shops' webhooks, the orders
integrations pull, and bulk imports. Each reads and authenticates the request, hands the payload
to the intake, and answers only once RabbitMQ confirmed what it published."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.ingest.entrypoints import channel_orders, imports, orders, webhooks
from services.ingest.use_cases.intake import BrokerUnavailable
from shared.problems import problem_response, unavailable

ROUTERS = (orders.router, webhooks.router, channel_orders.router, imports.router)


def install_broker_problem(app: FastAPI) -> None:
    """Nothing published is nothing accepted: 503, and the channel sends it again."""

    async def on_broker_unavailable(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BrokerUnavailable)
        refusal = unavailable(
            "Order not accepted: message broker unavailable",
            "The order was not stored; send it again later.",
            kind="broker-unavailable",
        )
        return problem_response(refusal.problem, headers=refusal.headers)

    app.add_exception_handler(BrokerUnavailable, on_broker_unavailable)

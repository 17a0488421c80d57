"""Orders of the channels an integration pulls (Amazon, eBay, Adobe Commerce).

`POST /v1/channels/{channel}/orders` takes one order as the channel's API returned it. The
integration authenticates with its API key (`Authorization: Bearer ...`); the key decides the
shop, so an integration can only bring in orders of its own shop (and, for Amazon, of its own
marketplaces).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from services.ingest.domain.channels.pulled import PulledChannel
from services.ingest.entrypoints.dependencies import CorrelationId, IntakeDep, IntegrationDep
from services.ingest.entrypoints.requests import json_body, parse_json
from services.ingest.use_cases.intake import Accepted
from shared.http_limits import problem_responses

router = APIRouter(prefix="/v1/channels", tags=["channels"])


@router.post(
    "/{channel}/orders",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 503),
    openapi_extra=json_body(
        'The order as the channel\'s API returns it: Amazon `{"Order": ..., "OrderItems": '
        "[...]}` (Orders API v0), an eBay Fulfillment API order, an Adobe Commerce order entity."
    ),
)
async def pulled_order(
    request: Request,
    channel: Annotated[PulledChannel, Path()],
    integration: IntegrationDep,
    intake: IntakeDep,
    correlation_id: CorrelationId = None,
) -> Accepted:
    """202 once RabbitMQ has the order; 403 for an order that is not the key's to send (another
    channel, an Amazon marketplace the integration does not list); 422 naming the channel's own
    field when the order cannot be read."""
    payload = parse_json(await request.body())
    return await intake.pulled_order(integration, channel, payload, correlation_id=correlation_id)

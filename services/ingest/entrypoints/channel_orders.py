"""Orders of the channels an integration pulls (Amazon, eBay, Adobe Commerce).

`POST /v1/channels/{channel}/orders` takes one order as the channel's API returned it. The
integration authenticates with its API key (`Authorization: Bearer ...`); the key decides the
shop, so an integration can only bring in orders of its own shop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from services.ingest.domain.channels.pulled import PulledChannel
from services.ingest.entrypoints.dependencies import (
    BearerKey,
    CorrelationId,
    IntakeDep,
    SettingsDep,
)
from services.ingest.entrypoints.requests import parse_json, read_body, unauthorized
from services.ingest.entrypoints.signatures import holder_of
from services.ingest.use_cases.intake import Accepted

router = APIRouter(prefix="/v1/channels", tags=["channels"])


@router.post("/{channel}/orders", status_code=status.HTTP_202_ACCEPTED)
async def pulled_order(
    request: Request,
    channel: Annotated[PulledChannel, Path()],
    intake: IntakeDep,
    settings: SettingsDep,
    key: BearerKey,
    correlation_id: CorrelationId = None,
) -> Accepted:
    integration = holder_of(
        key.credentials.strip() if key else None,
        ((i.api_key, i) for i in settings.integrations if i.channel == channel),
    )
    if integration is None:
        raise unauthorized(f"An API key of a {channel} integration is required", challenge="Bearer")
    payload = parse_json(await read_body(request, settings.max_order_bytes))
    return await intake.pulled_order(
        channel, payload, shop=integration.shop, correlation_id=correlation_id
    )

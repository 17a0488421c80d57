"""Orders of the channels an integration pulls (Amazon, eBay, Adobe Commerce).

`POST /v1/channels/{channel}/orders` takes one order as the channel's API returned it. The
integration authenticates with its API key (`Authorization: Bearer ...`); the key decides the
shop, so an integration can only bring in orders of its own shop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, status

from services.ingest.channels import adobe_commerce, amazon, ebay
from services.ingest.payloads import mapped, parse_json, read_body, unauthorized
from services.ingest.publishing import Accepted, Intake
from services.ingest.settings import IngestSettings, Integration, PulledChannel
from services.ingest.signatures import holder_of
from shared.contracts.orders import CanonicalOrder

Adapter = Callable[..., CanonicalOrder]
ADAPTERS: dict[str, tuple[str, Adapter]] = {
    "amazon": ("Amazon", amazon.order_from_api),
    "ebay": ("eBay", ebay.order_from_api),
    "adobe_commerce": ("Adobe Commerce", adobe_commerce.order_from_entity),
}


def channel_orders_router(intake: Intake, settings: IngestSettings) -> APIRouter:
    router = APIRouter(prefix="/v1/channels", tags=["channels"])

    @router.post("/{channel}/orders", status_code=status.HTTP_202_ACCEPTED)
    async def pulled_order(
        request: Request,
        channel: Annotated[PulledChannel, Path()],
        authorization: Annotated[str | None, Header()] = None,
        correlation_id: Annotated[
            str | None, Header(alias="X-Correlation-ID", max_length=100)
        ] = None,
    ) -> Accepted:
        integration = _integration(channel, authorization, settings.integrations)
        payload: Any = parse_json(await read_body(request, settings.max_order_bytes))
        name, adapt = ADAPTERS[channel]
        order = mapped(lambda: adapt(payload, shop=integration.shop), f"{name} order")
        return await intake.accept(order, correlation_id=correlation_id)

    return router


def _integration(
    channel: str, authorization: str | None, integrations: tuple[Integration, ...]
) -> Integration:
    scheme, _, key = (authorization or "").partition(" ")
    found = holder_of(
        key.strip() if scheme.lower() == "bearer" else None,
        ((i.api_key, i) for i in integrations if i.channel == channel),
    )
    if found is None:
        raise unauthorized(f"An API key of a {channel} integration is required", challenge="Bearer")
    return found

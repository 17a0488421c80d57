"""The suite's own order format: `POST /v1/orders` takes a canonical order as it is, from an
integration (`Authorization: Bearer <key>`), for the integration's own channel and shop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status

from services.ingest.entrypoints.dependencies import CorrelationId, IntakeDep, IntegrationDep
from services.ingest.use_cases.intake import Accepted
from shared.contracts.orders import NAMES_ITS_BUYER_SCHEMA, CanonicalOrder
from shared.http_limits import problem_responses

router = APIRouter(prefix="/v1", tags=["orders"])

# What the order must hold besides its fields is stated in the OpenAPI document too.
OrderNamingItsBuyer = Annotated[CanonicalOrder, Body(json_schema_extra=NAMES_ITS_BUYER_SCHEMA)]


@router.post(
    "/orders",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 503),
)
async def accept_order(
    order: OrderNamingItsBuyer,
    integration: IntegrationDep,
    intake: IntakeDep,
    correlation_id: CorrelationId = None,
) -> Accepted:
    """Accept an order in the suite's canonical format; 202 once RabbitMQ has it. An order of
    another channel or shop than the key's is refused (403), one that names nobody too (422)."""
    return await intake.integration_order(integration, order, correlation_id=correlation_id)

"""The suite's own order format: `POST /v1/orders` takes a canonical order as it is."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.ingest.entrypoints.dependencies import CorrelationId, IntakeDep
from services.ingest.use_cases.intake import Accepted
from shared.contracts.orders import CanonicalOrder

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post("/orders", status_code=status.HTTP_202_ACCEPTED)
async def accept_order(
    order: CanonicalOrder, intake: IntakeDep, correlation_id: CorrelationId = None
) -> Accepted:
    """Accept an order in the suite's canonical format; 202 once RabbitMQ has it."""
    return await intake.order(order, correlation_id=correlation_id)

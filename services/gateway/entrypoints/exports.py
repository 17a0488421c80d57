"""GDPR export (Art. 15/20): `GET /v1/customers/{id}/export`, all the suite holds on a person
(composed by `use_cases.exports`). A merged id answers 301 with the master's export as
`Location`, like `GET /v1/customers/{id}`."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.dependencies import (
    Caller,
    CustomerId,
    ServicesDep,
    Viewer,
    allowed,
)
from services.gateway.use_cases.exports import MergedInto, export_personal_data
from shared.contracts.privacy import PersonalDataExport

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.get(
    "/{customer_id}/export",
    response_model=PersonalDataExport,
    responses={301: {"description": "merged into another customer (see Location)"}},
    dependencies=[allowed(action=Action.EXPORT)],
    response_model_exclude_unset=True,
)
async def export_customer(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    response: Response,
) -> PersonalDataExport | Response:
    """Everything the suite holds on the customer, as one JSON document."""
    export = await export_personal_data(services, customer_id, caller)
    if isinstance(export, MergedInto):
        return Response(
            status_code=status.HTTP_301_MOVED_PERMANENTLY,
            headers={"Location": f"/v1/customers/{export.master_id}/export"},
        )
    filename = f"customer-{export.customer.customer_number}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return await viewer.export(export)

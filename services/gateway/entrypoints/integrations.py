"""The order pullers' integrations (marketplaces that do not push): how each one is doing."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.dependencies import Caller, ServicesDep, allowed
from shared.contracts.integrations import GetIntegrations, IntegrationList

# The shops' integrations and their state: configuration of who may send orders.
router = APIRouter(
    prefix="/v1/integrations",
    tags=["integrations"],
    dependencies=[allowed(action=Action.MANAGE_ACCESS)],
)


@router.get("")
async def list_integrations(caller: Caller, services: ServicesDep) -> IntegrationList:
    """Per integration: last run, watermark, orders pulled, last error, parked orders."""
    return await services.ask("pullers", GetIntegrations(actor=caller), IntegrationList)

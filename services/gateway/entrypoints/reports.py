"""Reports over the customer base and the work on it in the public API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.gateway.domain.roles import Action, FieldGroup
from services.gateway.entrypoints.dependencies import (
    Access,
    Caller,
    ServicesDep,
    Viewer,
    allowed,
)
from shared.contracts import customer_reports as r
from shared.contracts.envelope import ISO_8601
from shared.contracts.tasks import GetTaskReport, TaskReport

router = APIRouter(
    prefix="/v1/reports", tags=["reports"], dependencies=[allowed(reads=(FieldGroup.REPORTS,))]
)


@router.get("/new-customers")
async def new_customers(
    caller: Caller, services: ServicesDep, start: date, end: date
) -> r.NewCustomersReport:
    """New customers per day and per channel (of their first order), both days included."""
    query = r.NewCustomersPerDay(period=r.Period(start=start, end=end), actor=caller)
    return await services.ask("customer", query, r.NewCustomersReport)


@router.get("/repeat-purchase-rate")
async def repeat_purchase_rate(caller: Caller, services: ServicesDep) -> r.RepeatPurchaseReport:
    """Share of customers with an order who ordered more than once."""
    query = r.RepeatPurchaseRate(actor=caller)
    return await services.ask("customer", query, r.RepeatPurchaseReport)


@router.get("/top-customers", response_model_exclude_unset=True)
async def top_customers(
    caller: Caller,
    services: ServicesDep,
    grants: Access,
    viewer: Viewer,
    currency: Annotated[str, Query(pattern=r"^[A-Z]{3}$")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> r.TopCustomersReport:
    """Customers by revenue in one currency (cancelled and refunded orders do not count); their
    names only for callers who read `identity`."""
    query = r.TopCustomersByRevenue(currency=currency, limit=limit, actor=caller)
    report = await services.ask("customer", query, r.TopCustomersReport)
    return await viewer.top_customers(report)


@router.get("/open-duplicates", dependencies=[allowed(action=Action.MERGE)])
async def open_duplicates(
    caller: Caller, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> r.OpenDuplicatesReport:
    """How many duplicate candidates wait for a decision, and the likeliest ones."""
    query = r.OpenDuplicates(limit=limit, actor=caller)
    return await services.ask("customer", query, r.OpenDuplicatesReport)


@router.get("/tasks", dependencies=[allowed(reads=(FieldGroup.TASKS,))])
async def task_report(
    caller: Caller,
    services: ServicesDep,
    completed_since: Annotated[AwareDatetime | None, ISO_8601, Query()] = None,
) -> TaskReport:
    """Open tasks per assignee and priority, overdue count, median time to completion (of the
    tasks completed since `completed_since`, default the last 90 days)."""
    query = GetTaskReport(completed_since=completed_since, actor=caller)
    return await services.ask("tasks", query, TaskReport)

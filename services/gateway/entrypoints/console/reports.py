"""The console's reports: new customers per day and channel, the repeat-purchase rate, top
customers, consent rates and open tasks, as tables and small charts, on one page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    ScreensDep,
    SignedInCaller,
    page,
)
from services.gateway.entrypoints.dependencies import Viewer, allowed

router = APIRouter(prefix=f"{PREFIX}/reports", route_class=ConsoleRoute, include_in_schema=False)


@router.get("", dependencies=[allowed(reads=(FieldGroup.REPORTS,))])
async def reports(
    request: Request,
    caller: SignedInCaller,
    screens: ScreensDep,
    viewer: Viewer,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    currency: Annotated[str, Query(pattern=r"^[A-Z]{3}$")] = "EUR",
) -> HTMLResponse:
    shown = await screens.reports(caller, viewer, days=days, currency=currency)
    return page(request, "reports.html", reports=shown, days=days, currency=currency)

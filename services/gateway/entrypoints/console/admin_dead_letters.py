"""The console's dead-lettered messages: a service's parked messages with their reasons, one
inspected (its body cut to the envelope for roles that do not read every field group) and
replayed, with the use case of `/v1/dead-letters`; for those who manage access."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.console.admin_web import AdminDep
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    SignedInCaller,
    ViewerDep,
    page,
)
from services.gateway.entrypoints.dependencies import allowed

router = APIRouter(
    prefix=f"{PREFIX}/admin/dead-letters",
    route_class=ConsoleRoute,
    include_in_schema=False,
    dependencies=[allowed(action=Action.MANAGE_ACCESS)],
)
Service = Annotated[str, Path(pattern=r"^[a-z]{2,40}$")]
MessageId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")]


@router.get("")
async def dead_letters(
    request: Request,
    caller: SignedInCaller,
    admin: AdminDep,
    service: Annotated[str, Query(pattern=r"^[a-z]{2,40}$")] = "customer",
    replayed: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    return page(
        request,
        "admin_dead_letters.html",
        services=admin.parking_services(),
        parked=await admin.parked(caller, service),
        replayed=replayed,
    )


@router.get("/{service}/{message_id}")
async def parked_message(
    request: Request,
    service: Service,
    message_id: MessageId,
    caller: SignedInCaller,
    admin: AdminDep,
    viewer: ViewerDep,
) -> HTMLResponse:
    message = await admin.parked_message(caller, service, message_id, viewer)
    body = message.body
    # Readable as the service got it (autoescaped by the template, so not `tojson`'s escapes).
    text = body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)
    return page(request, "admin_dead_letter.html", message=message, body=text)


@router.post("/{service}/{message_id}/replay")
async def replay(
    service: Service, message_id: MessageId, caller: SignedInCaller, admin: AdminDep, _form: Form
) -> RedirectResponse:
    await admin.replay(caller, service, message_id)
    return RedirectResponse(
        f"{PREFIX}/admin/dead-letters?service={service}&replayed={message_id}", status_code=303
    )

"""The console's access admin: API keys (made, shown once, revoked) and the roles they grant,
with the same use cases as `/v1/api-keys` and `/v1/roles`; for those who manage access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    SignedInCaller,
    given,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.access import KeyAdmin, RoleAdmin
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput

router = APIRouter(prefix=f"{PREFIX}/admin", route_class=ConsoleRoute, include_in_schema=False)
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]


def _admins(request: Request) -> tuple[KeyAdmin, RoleAdmin]:
    return request.app.state.key_admin, request.app.state.role_admin


async def _admin_page(
    request: Request, *, new_key: str | None = None, status_code: int = 200
) -> HTMLResponse:
    keys, roles = _admins(request)
    return page(
        request,
        "admin.html",
        status_code=status_code,
        keys=await keys.keys.all(),
        roles=await roles.roles.all(),
        new_key=new_key,
    )


@router.get("", dependencies=[allowed(action=Action.MANAGE_ACCESS)])
async def admin(request: Request, caller: SignedInCaller) -> HTMLResponse:
    caller.grants.require(Action.MANAGE_ACCESS)
    return await _admin_page(request)


@router.post("/keys", dependencies=[allowed(action=Action.MANAGE_ACCESS)])
async def create_key(request: Request, caller: SignedInCaller, form: Form) -> HTMLResponse:
    """The new key is shown on this answer only (it is kept nowhere but as a hash)."""
    caller.grants.require(Action.MANAGE_ACCESS)
    keys, _ = _admins(request)
    name, roles = given(form, "name"), tuple(r for r in form.get("roles", ()) if r)
    missing = [("name", "give the key a name")] if not name or len(name) > 100 else []
    missing += [("roles", "choose at least one role")] if not roles else []
    if missing:
        raise InvalidInput([FieldError(field=f, message=m) for f, m in missing])
    assert name is not None
    _, key = await keys.create(name=name, roles=roles, created_by=caller.principal.id)
    return await _admin_page(request, new_key=key, status_code=201)


@router.post("/keys/{key_id}/revoke", dependencies=[allowed(action=Action.MANAGE_ACCESS)])
async def revoke_key(
    request: Request, key_id: KeyId, caller: SignedInCaller, _form: Form
) -> RedirectResponse:
    caller.grants.require(Action.MANAGE_ACCESS)
    keys, _ = _admins(request)
    await keys.revoke(key_id)
    return RedirectResponse(f"{PREFIX}/admin", status_code=303)

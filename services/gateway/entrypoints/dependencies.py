"""What the gateway's endpoints depend on, as `Annotated` types: who calls, the clients `main`
built, and the headers and path parameters several areas share."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.security import APIKeyHeader, HTTPBearer

from services.gateway.adapters.access_log_store import new_access_id
from services.gateway.adapters.ingest_client import IngestClient
from services.gateway.adapters.pages import Pages
from services.gateway.domain import principal as p
from services.gateway.domain.access_log import RequestContext
from services.gateway.domain.policy import Grants
from services.gateway.domain.roles import Action
from services.gateway.use_cases import access
from services.gateway.use_cases.access_log import AccessRecorder
from services.gateway.use_cases.ports import Services
from services.gateway.use_cases.visibility import CustomFieldGroups, Visibility
from shared.contracts.envelope import Actor, Id, utc_now
from shared.errors import field_error
from shared.http_limits import IDEMPOTENCY_KEY

# How a caller authenticates, as the OpenAPI document declares it. The check itself is done
# for every route by `entrypoints.authentication` before the endpoint runs; these only read
# the header so that the document (and its docs page) shows the schemes.
_API_KEY = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", auto_error=False, description="an API key"
)
_BEARER = HTTPBearer(
    scheme_name="Bearer",
    auto_error=False,
    description="an API key, or a JWT of the identity provider the gateway is set up for",
)


async def authenticated(
    request: Request,
    _key: Annotated[object, Depends(_API_KEY)],
    _bearer: Annotated[object, Depends(_BEARER)],
) -> access.Caller:
    caller: access.Caller = request.state.caller
    return caller


Authenticated = Annotated[access.Caller, Depends(authenticated)]


async def current_actor(caller: Authenticated) -> Actor:
    """Whom what the request changes or reads is recorded as: a person (their token's subject)
    as a supporter, a key as `api` by its id."""
    return caller.principal.actor


async def _principal(caller: Authenticated) -> p.Principal:
    return caller.principal


async def _grants(caller: Authenticated) -> Grants:
    return caller.grants


async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _ingest(request: Request) -> IngestClient:
    ingest: IngestClient = request.app.state.ingest
    return ingest


# Who is calling: every request acts as someone, recorded in what it changes and reads.
Caller = Annotated[Actor, Depends(current_actor)]
# The principal behind it: a key or a person, their roles, the shop a key is bound to.
Principal = Annotated[p.Principal, Depends(_principal)]
# What the principal's roles allow (`domain.policy`).
Access = Annotated[Grants, Depends(_grants)]


async def _visibility(
    request: Request,
    grants: Access,
    actor: Caller,
    purpose: Annotated[str | None, Header(alias="X-Purpose", max_length=200)] = None,
) -> Visibility:
    groups: CustomFieldGroups = request.app.state.custom_field_groups
    route = request.scope.get("route")
    context = RequestContext(
        actor=actor,
        request_id=request.state.request_id,
        purpose=purpose,
        client=request.client.host if request.client else None,
        route=f"{request.method} {getattr(route, 'path', request.url.path)}",
    )
    log = AccessRecorder(request.app.state.access_log, context, utc_now, new_access_id)
    return Visibility(grants, actor, groups, log)


# What the caller is shown of the services' answers, and the check of what it changes.
Viewer = Annotated[Visibility, Depends(_visibility)]
ServicesDep = Annotated[Services, Depends(_services)]
IngestDep = Annotated[IngestClient, Depends(_ingest)]

# Ids in a path are held to the contracts' `Id` here, at the edge, so that a blank or a control
# character is a 422 naming the parameter, not an invalid message to a service.
CustomerId = Annotated[Id, Path()]
ItemId = Annotated[Id, Path()]
# A client may send one so that a retried request changes nothing twice (`use_cases.commands`).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_KEY,
        min_length=8,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "Sent again with the same request, changes nothing twice and is answered with "
            "what the first one changed as it is now (404 once that was removed)"
        ),
    ),
]


def documented_clearing_only(clearable: frozenset[str]) -> Callable[[dict[str, Any]], None]:
    """`json_schema_extra` of a JSON merge patch's body: a field it cannot clear is documented
    without null, as the patch refuses one (`InvalidRequest`, as any request its document calls
    invalid). Its type keeps None (left out), the value of a field not sent."""

    def document(schema: dict[str, Any]) -> None:
        for name, field in schema.get("properties", {}).items():
            branches = [s for s in field.get("anyOf", ()) if s != {"type": "null"}]
            if name in clearable or len(branches) != 1:
                continue
            del field["anyOf"]
            field.pop("default", None)
            field.update(branches[0])

    return document


# What `If-Match` may be, in the document too: a client told only "a string" sends one we refuse.
# Versions start at 1: a 0 would make a message the contracts refuse (it answered 500).
_IF_MATCH = r'^\s*(?:W/)?"?([1-9]\d{0,8})"?\s*$'


async def _expected_version(
    if_match: Annotated[
        str | None, Header(alias="If-Match", max_length=30, pattern=_IF_MATCH)
    ] = None,
) -> int | None:
    """`If-Match: "3"` (the record's version, as an ETag) -> 3."""
    if if_match is None:
        return None
    match = re.fullmatch(_IF_MATCH, if_match)
    if match is None:
        raise field_error("If-Match", 'must be the version of the record, e.g. "3"')
    return int(match.group(1))


# The version a change expects the record to have (`If-Match`); None: whatever it is now.
ExpectedVersion = Annotated[int | None, Depends(_expected_version)]


async def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


# The HTML pages served to people (the double opt-in confirmation).
PagesDep = Annotated[Pages, Depends(_pages)]


def allowed(
    *,
    action: Action | None = None,
    reads: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
) -> Any:
    """`dependencies=[allowed(...)]` of a route: what the caller's roles must grant to call it
    at all (function-level); refused with 403 naming the action or field group."""

    async def check(grants: Access) -> None:
        if action is not None:
            grants.require(action)
        grants.require_read(*reads)
        grants.require_writes({group: group for group in writes})

    return Depends(check)

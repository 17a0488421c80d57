"""Customer endpoints of the public API: find, create, read, edit, merge, erase, history."""

from __future__ import annotations

import re
from typing import Annotated, get_args

from fastapi import APIRouter, Body, Query, Request, Response, status
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from services.gateway.domain.roles import Action, FieldGroup
from services.gateway.entrypoints.dependencies import (
    Caller,
    CustomerId,
    ExpectedVersion,
    IdempotencyKey,
    ServicesDep,
    Viewer,
    allowed,
    documented_clearing_only,
)
from services.gateway.use_cases.commands import command
from shared.contracts import customer_history as history
from shared.contracts import customers as c
from shared.contracts.customer_history import (
    ActivityKind,
    ActivityPage,
    GetCustomerOrders,
    GetTimeline,
    OrderPage,
)
from shared.contracts.envelope import ActorType, Contract, Id
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput, InvalidRequest

Limit = Annotated[int, Query(ge=1, le=200)]
# Each query's own cursor, as its contract bounds it.
SearchCursor = Annotated[c.SearchCursor | None, Query()]
HistoryCursor = Annotated[history.Cursor | None, Query()]
_EXTRA_PARAM = re.compile(r"^extra\.([a-z][a-z0-9_]{1,39})$")
_CLEARABLE = frozenset(get_args(c.ClearableField))

router = APIRouter(prefix="/v1/customers", tags=["customers"])


class CustomerChanges(c.CustomerPatch):
    """A customer's JSON merge patch; `extra` is merged key by key, never cleared whole."""

    model_config = ConfigDict(json_schema_extra=documented_clearing_only(_CLEARABLE))


class MergeRequest(Contract):
    source_ids: tuple[Id, ...] = Field(min_length=1, max_length=20)


class Reason(Contract):
    reason: Annotated[str, Field(max_length=500)] | None = None


class TagChanges(Contract):
    add: tuple[c.Tag, ...] = ()
    remove: tuple[c.Tag, ...] = ()


@router.get(
    "", response_model_exclude_unset=True, dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))]
)
async def find_customers(
    request: Request,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    name: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    number: Annotated[c.CustomerNumber | None, Query()] = None,
    channel: Annotated[str | None, Query(max_length=240)] = None,
    tag: Annotated[c.Tag | None, Query()] = None,
    status: Annotated[list[c.CustomerStatus] | None, Query()] = None,
    sort: c.CustomerSort = c.CustomerSort.NUMBER,
    descending: bool = False,
    limit: Limit = 50,
    cursor: SearchCursor = None,
) -> c.CustomerPage:
    """Filters combine; `extra.<key>=<value>` filters on a custom field. Each customer shows
    only the field groups the caller reads; filtering by a field needs reading it."""
    extra = _custom_field_filters(request)
    given = {"name": name, "email": email, "phone": phone}
    await viewer.require_filters([f for f, v in given.items() if v] + [f"extra.{k}" for k in extra])
    query = c.FindCustomers(
        name=name,
        email=email,
        phone=phone,
        number=number,
        channel=channel,
        tag=tag,
        status=tuple(status or ()),
        extra=extra,
        sort=sort,
        descending=descending,
        limit=limit,
        cursor=cursor,
        actor=caller,
    )
    return await viewer.customers(await services.ask("customer", query, c.CustomerPage))


def _custom_field_filters(request: Request) -> dict[str, str]:
    """`extra.<key>=<value>` query parameters (FastAPI declares no parameter by prefix)."""
    extra = {}
    for param, value in request.query_params.items():
        if param.startswith("extra."):
            match = _EXTRA_PARAM.match(param)
            if match is None:
                raise InvalidInput(
                    [FieldError(field=param, message="not a custom field key")],
                    "custom field filters are extra.<key>",
                )
            extra[match.group(1)] = value
    try:
        return _FILTERS.validate_python(extra)
    except ValidationError as error:
        raise InvalidInput(
            [FieldError(field=_filter_name(e["loc"]), message=e["msg"]) for e in error.errors()]
        ) from None


_FILTERS: TypeAdapter[dict[str, str]] = TypeAdapter(c.CustomFieldFilters)


def _filter_name(location: tuple[int | str, ...]) -> str:
    """The query parameter a filter's error is about (`extra.<key>`, or all of them)."""
    return f"extra.{location[0]}" if location else "extra"


@router.post("", status_code=status.HTTP_201_CREATED, response_model_exclude_unset=True)
async def create_customer(
    draft: c.CustomerDraft,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    idempotency_key: IdempotencyKey = None,
) -> c.CustomerView:
    """Each field given needs its group written (403 naming the fields otherwise)."""
    await viewer.require_customer_writes(draft.model_fields_set, (draft.extra or {}).keys())
    create = command(c.CreateCustomer, caller, idempotency_key, customer=draft)
    return await viewer.customer(await services.ask("customer", create, c.CustomerView))


@router.get(
    "/{customer_id}",
    responses={301: {"description": "merged into another customer (see Location)"}},
    response_model_exclude_unset=True,
    dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))],
)
async def get_customer(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    response: Response,
) -> c.CustomerView:
    """The customer, as far as the caller reads it; its version is the `ETag` (for `If-Match`
    on a change)."""
    query = c.GetCustomer(customer_id=customer_id, actor=caller)
    view = await services.ask("customer", query, c.CustomerView)
    if view.merged_into:
        # The record was absorbed: say where it went; a client that follows lands there.
        response.status_code = status.HTTP_301_MOVED_PERMANENTLY
        response.headers["Location"] = f"/v1/customers/{view.merged_into}"
    else:
        response.headers["ETag"] = f'"{view.version}"'
    return await viewer.customer(view)


@router.patch("/{customer_id}", response_model_exclude_unset=True)
async def update_customer(
    customer_id: CustomerId,
    patch: CustomerChanges,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    expected_version: ExpectedVersion,
    idempotency_key: IdempotencyKey = None,
) -> c.CustomerView:
    """JSON merge patch: a field set to null is cleared; in `extra`, null removes a key. Each
    field touched needs its group written (403 naming the fields otherwise)."""
    await viewer.require_customer_writes(patch.model_fields_set, (patch.extra or {}).keys())
    nulls = [f for f in sorted(patch.model_fields_set) if getattr(patch, f) is None]
    refused = [f for f in nulls if f not in _CLEARABLE]
    if refused:
        raise InvalidRequest(
            [FieldError(field=f, message="cannot be null") for f in refused],
            "these fields cannot be cleared",
        )
    update = command(
        c.UpdateCustomer,
        caller,
        idempotency_key,
        customer_id=customer_id,
        set=patch,
        clear=tuple(nulls),
        expected_version=expected_version,
    )
    return await viewer.customer(await services.ask("customer", update, c.CustomerView))


@router.post(
    "/{customer_id}/merge",
    response_model_exclude_unset=True,
    dependencies=[allowed(action=Action.MERGE)],
)
async def merge_customers(
    customer_id: CustomerId,
    request: MergeRequest,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    idempotency_key: IdempotencyKey = None,
) -> c.CustomerView:
    """The customer absorbs the `source_ids`; they become tombstones pointing here."""
    merge = command(
        c.MergeCustomers,
        caller,
        idempotency_key,
        master_id=customer_id,
        source_ids=request.source_ids,
    )
    return await viewer.customer(await services.ask("customer", merge, c.CustomerView))


ReasonedCommand = type[c.EraseCustomer] | type[c.DisableCustomer] | type[c.RequirePasswordReset]


def _reasoned_action(path: str, kind: ReasonedCommand, name: str, needs: Action) -> None:
    """A life-cycle action that only takes an optional reason, recorded in the history."""

    @router.post(
        f"/{{customer_id}}/{path}",
        name=name,
        summary=name.replace("_", " ").title(),
        response_model_exclude_unset=True,
        dependencies=[allowed(action=needs)],
    )
    async def act(
        customer_id: CustomerId,
        caller: Caller,
        services: ServicesDep,
        viewer: Viewer,
        body: Annotated[Reason | None, Body()] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> c.CustomerView:
        reason = body.reason if body else None
        action = command(kind, caller, idempotency_key, customer_id=customer_id, reason=reason)
        return await viewer.customer(await services.ask("customer", action, c.CustomerView))


for _path, _kind, _name, _needs in (
    ("erase", c.EraseCustomer, "erase_customer", Action.ERASE),
    ("disable", c.DisableCustomer, "disable_customer", Action.DISABLE),
    ("password-reset", c.RequirePasswordReset, "require_password_reset", Action.DISABLE),
):
    _reasoned_action(_path, _kind, _name, _needs)


@router.post(
    "/{customer_id}/enable",
    response_model_exclude_unset=True,
    dependencies=[allowed(action=Action.DISABLE)],
)
async def enable_customer(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    idempotency_key: IdempotencyKey = None,
) -> c.CustomerView:
    enable = command(c.EnableCustomer, caller, idempotency_key, customer_id=customer_id)
    return await viewer.customer(await services.ask("customer", enable, c.CustomerView))


@router.post(
    "/{customer_id}/tags",
    response_model_exclude_unset=True,
    dependencies=[allowed(writes=(FieldGroup.TAGS,))],
)
async def change_tags(
    customer_id: CustomerId,
    changes: TagChanges,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    idempotency_key: IdempotencyKey = None,
) -> c.CustomerView:
    change = command(
        c.ChangeTags,
        caller,
        idempotency_key,
        customer_id=customer_id,
        add=changes.add,
        remove=changes.remove,
    )
    return await viewer.customer(await services.ask("customer", change, c.CustomerView))


@router.get("/{customer_id}/orders", dependencies=[allowed(reads=(FieldGroup.ORDERS,))])
async def customer_orders(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    limit: Limit = 50,
    cursor: HistoryCursor = None,
) -> OrderPage:
    """Newest order first."""
    query = GetCustomerOrders(customer_id=customer_id, limit=limit, cursor=cursor, actor=caller)
    page = await services.ask("customer", query, OrderPage)
    await viewer.record(customer_id, FieldGroup.ORDERS, bool(page.items))
    return page


@router.get(
    "/{customer_id}/timeline",
    response_model_exclude_unset=True,
    dependencies=[allowed(reads=(FieldGroup.HISTORY,))],
)
async def customer_timeline(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    actor_type: ActorType | None = None,
    kind: Annotated[list[ActivityKind] | None, Query()] = None,
    limit: Limit = 50,
    cursor: HistoryCursor = None,
) -> ActivityPage:
    """Newest first; filter by who acted and by kind of activity (repeatable). Entries and
    changes of field groups the caller does not read are left out; reads of the customer's
    personal data (the access log) show as `viewed`."""
    query = GetTimeline(
        customer_id=customer_id,
        actor_type=actor_type,
        kinds=tuple(kind or ()),
        limit=limit,
        cursor=cursor,
        actor=caller,
    )
    page = await services.ask("customer", query, ActivityPage)
    return await viewer.timeline(customer_id, page, query)

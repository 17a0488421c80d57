"""Customer endpoints of the public API: find, create, read, edit, merge, erase, history."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Body, Path, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import Field

from services.gateway.callers import Caller
from services.gateway.commands import IdempotencyKey, IfMatch, command, expected_version
from services.gateway.services import Services
from shared.contracts import customers as c
from shared.contracts.customer_history import (
    ActivityKind,
    ActivityPage,
    GetCustomerOrders,
    GetTimeline,
    OrderPage,
)
from shared.contracts.envelope import ActorType, Contract
from shared.contracts.replies import FieldError, ProblemError, invalid

CustomerId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=500)]
_EXTRA_PARAM = re.compile(r"^extra\.([a-z][a-z0-9_]{1,39})$")


class MergeRequest(Contract):
    source_ids: tuple[Annotated[str, Field(min_length=1, max_length=64)], ...] = Field(
        min_length=1, max_length=20
    )


class Reason(Contract):
    reason: Annotated[str, Field(max_length=500)] | None = None


class TagChanges(Contract):
    add: tuple[c.Tag, ...] = ()
    remove: tuple[c.Tag, ...] = ()


ReasonedCommand = type[c.EraseCustomer] | type[c.DisableCustomer] | type[c.RequirePasswordReset]


def _reasoned_action(
    router: APIRouter,
    send: Callable[[Any], Awaitable[Any]],
    path: str,
    kind: ReasonedCommand,
    name: str,
) -> None:
    summary = name.replace("_", " ").title()

    @router.post(
        f"/{{customer_id}}/{path}", response_model=c.CustomerView, name=name, summary=summary
    )
    async def act(
        customer_id: CustomerId,
        caller: Caller,
        body: Annotated[Reason | None, Body()] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        reason = body.reason if body else None
        return await send(
            command(kind, caller, idempotency_key, customer_id=customer_id, reason=reason)
        )


def customers_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/customers", tags=["customers"])

    async def send(message: Any) -> Any:
        return await services.ask("customer", message)

    @router.get("", response_model=c.CustomerPage)
    async def find_customers(
        request: Request,
        caller: Caller,
        name: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        email: Annotated[str | None, Query(max_length=320)] = None,
        phone: Annotated[str | None, Query(max_length=40)] = None,
        number: Annotated[int | None, Query(ge=1)] = None,
        channel: Annotated[str | None, Query(max_length=240)] = None,
        tag: Annotated[str | None, Query(max_length=50)] = None,
        status: Annotated[list[c.CustomerStatus] | None, Query()] = None,
        sort: c.CustomerSort = c.CustomerSort.NUMBER,
        descending: bool = False,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Any:
        """Filters combine; `extra.<key>=<value>` filters on a custom field."""
        extra = {}
        for param, value in request.query_params.items():
            if param.startswith("extra."):
                match = _EXTRA_PARAM.match(param)
                if match is None:
                    raise ProblemError(
                        invalid(
                            "custom field filters are extra.<key>",
                            (FieldError(field=param, message="not a custom field key"),),
                        )
                    )
                extra[match.group(1)] = value
        return await send(
            c.FindCustomers(
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
        )

    @router.post("", response_model=c.CustomerView, status_code=status.HTTP_201_CREATED)
    async def create_customer(
        draft: c.CustomerDraft, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Any:
        return await send(command(c.CreateCustomer, caller, idempotency_key, customer=draft))

    @router.get(
        "/{customer_id}",
        response_model=c.CustomerView,
        responses={301: {"description": "merged into another customer (see Location)"}},
    )
    async def get_customer(customer_id: CustomerId, caller: Caller) -> Any:
        view = await send(c.GetCustomer(customer_id=customer_id, actor=caller))
        if view.get("merged_into"):
            # The record was absorbed: say where it went; a client that follows lands there.
            return JSONResponse(
                view,
                status_code=status.HTTP_301_MOVED_PERMANENTLY,
                headers={"Location": f"/v1/customers/{view['merged_into']}"},
            )
        return JSONResponse(view, headers={"ETag": f'"{view["version"]}"'})

    @router.patch("/{customer_id}", response_model=c.CustomerView)
    async def update_customer(
        customer_id: CustomerId,
        patch: c.CustomerPatch,
        caller: Caller,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """JSON merge patch: a field set to null is cleared; in `extra`, null removes a key."""
        clearable = set(get_args(c.ClearableField))
        nulls = [f for f in sorted(patch.model_fields_set) if getattr(patch, f) is None]
        refused = [f for f in nulls if f not in clearable]
        if refused:
            raise ProblemError(
                invalid(
                    "these fields cannot be cleared",
                    tuple(FieldError(field=f, message="cannot be null") for f in refused),
                )
            )
        return await send(
            command(
                c.UpdateCustomer,
                caller,
                idempotency_key,
                customer_id=customer_id,
                set=patch,
                clear=tuple(nulls),
                expected_version=expected_version(if_match),
            )
        )

    @router.post("/{customer_id}/merge", response_model=c.CustomerView)
    async def merge_customers(
        customer_id: CustomerId,
        request: MergeRequest,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """The customer absorbs the `source_ids`; they become tombstones pointing here."""
        return await send(
            command(
                c.MergeCustomers,
                caller,
                idempotency_key,
                master_id=customer_id,
                source_ids=request.source_ids,
            )
        )

    # Life-cycle actions that only take an optional reason, recorded in the history.
    for path, kind, name in (
        ("erase", c.EraseCustomer, "erase_customer"),
        ("disable", c.DisableCustomer, "disable_customer"),
        ("password-reset", c.RequirePasswordReset, "require_password_reset"),
    ):
        _reasoned_action(router, send, path, kind, name)

    @router.post("/{customer_id}/enable", response_model=c.CustomerView)
    async def enable_customer(
        customer_id: CustomerId, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Any:
        return await send(
            command(c.EnableCustomer, caller, idempotency_key, customer_id=customer_id)
        )

    @router.post("/{customer_id}/tags", response_model=c.CustomerView)
    async def change_tags(
        customer_id: CustomerId,
        changes: TagChanges,
        caller: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        return await send(
            command(
                c.ChangeTags,
                caller,
                idempotency_key,
                customer_id=customer_id,
                add=changes.add,
                remove=changes.remove,
            )
        )

    @router.get("/{customer_id}/orders", response_model=OrderPage)
    async def customer_orders(
        customer_id: CustomerId, caller: Caller, limit: Limit = 50, cursor: Cursor = None
    ) -> Any:
        """Newest order first."""
        return await send(
            GetCustomerOrders(customer_id=customer_id, limit=limit, cursor=cursor, actor=caller)
        )

    @router.get("/{customer_id}/timeline", response_model=ActivityPage)
    async def customer_timeline(
        customer_id: CustomerId,
        caller: Caller,
        actor_type: ActorType | None = None,
        kind: Annotated[list[ActivityKind] | None, Query()] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Any:
        """Newest first; filter by who acted and by kind of activity (repeatable)."""
        return await send(
            GetTimeline(
                customer_id=customer_id,
                actor_type=actor_type,
                kinds=tuple(kind or ()),
                limit=limit,
                cursor=cursor,
                actor=caller,
            )
        )

    return router

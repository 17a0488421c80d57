"""Console pages of customers: the search panel with its result list, and the customer 360."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.gateway.domain.policy import AccessDenied
from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    ScreensDep,
    SignedInCaller,
    ViewerDep,
    choice,
    given,
    page,
    problem_of_error,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.console_screens import MergedElsewhere
from shared.contracts import customer_notes as n
from shared.contracts import customers as c
from shared.contracts.customer_history import ActivityKind, TimelineSlice
from shared.contracts.envelope import ActorType, Id
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput

router = APIRouter(prefix=f"{PREFIX}/customers", route_class=ConsoleRoute, include_in_schema=False)

SEARCH_FIELDS = ("name", "email", "phone", "number", "channel", "tag", "status")
# A search by a field tells whether someone has that value: only for its readers.
_FILTER_GROUPS = {
    "name": FieldGroup.IDENTITY,
    "email": FieldGroup.CONTACT,
    "phone": FieldGroup.CONTACT,
}
Text = Annotated[str | None, Query(max_length=320)]


@router.get("", dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))])
async def search(
    request: Request,
    caller: SignedInCaller,
    screens: ScreensDep,
    viewer: ViewerDep,
    name: Text = None,
    email: Text = None,
    phone: Text = None,
    number: Text = None,
    channel: Text = None,
    tag: Text = None,
    status: Text = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    values = {"name": name, "email": email, "phone": phone, "number": number}
    values |= {"channel": channel, "tag": tag, "status": status}
    filters = {k: v.strip() for k, v in values.items() if v and v.strip()}
    results, errors = None, {}
    try:
        caller.grants.require_filters({f: g for f, g in _FILTER_GROUPS.items() if f in filters})
        query = c.FindCustomers(
            name=filters.get("name"),
            email=filters.get("email"),
            phone=filters.get("phone"),
            number=filters.get("number"),  # validated by the contract
            channel=filters.get("channel"),
            tag=filters.get("tag"),
            status=(filters["status"],) if "status" in filters else (),
            cursor=cursor,
            limit=25,
            actor=caller.principal.actor,
        )
        results = await screens.customers(caller, viewer, query)
    except (ValidationError, AccessDenied, InvalidInput) as error:
        problem = problem_of_error(error)
        assert problem is not None
        errors = {e.field.split(".")[0]: e.message for e in problem.errors}
    return page(
        request,
        "customers.html",
        filters=filters,
        results=results,
        errors=errors,
        statuses=[s.value for s in c.CustomerStatus],
    )


@router.get("/{customer_id}", dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))])
async def customer_360(
    request: Request,
    customer_id: Annotated[Id, Path()],
    caller: SignedInCaller,
    screens: ScreensDep,
    viewer: ViewerDep,
    kind: Annotated[list[ActivityKind] | None, Query()] = None,
    actor_type: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    # A form's "anyone" sends the field blank.
    actor = choice(ActorType, actor_type, "actor_type") if actor_type else None
    timeline = TimelineSlice(kinds=tuple(kind or ()), actor_type=actor, cursor=cursor)
    try:
        screen = await screens.customer_360(caller, viewer, customer_id, timeline)
    except MergedElsewhere as merged:
        return RedirectResponse(f"{PREFIX}/customers/{merged.master_id}", status_code=303)
    return page(
        request,
        "customer.html",
        screen=screen,
        c=screen.customer,
        timeline_filter=timeline,
        kinds=[k.value for k in ActivityKind],
        actor_types=[a.value for a in ActorType],
    )


@router.post("/{customer_id}/notes", dependencies=[allowed(writes=(FieldGroup.NOTES,))])
async def add_note(
    customer_id: Annotated[Id, Path()], caller: SignedInCaller, screens: ScreensDep, form: Form
) -> RedirectResponse:
    text = given(form, "text")
    if text is None:
        raise InvalidInput([FieldError(field="text", message="write the note first")])
    caller.grants.require_writes({"notes": FieldGroup.NOTES})
    add = command(
        n.AddNote,
        caller.principal.actor,
        None,
        customer_id=customer_id,
        text=text,
        pinned=given(form, "pinned") is not None,
    )
    await screens.services.ask("customer", add, n.NoteView)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#notes", status_code=303)


@router.post("/{customer_id}/tags", dependencies=[allowed(writes=(FieldGroup.TAGS,))])
async def change_tags(
    customer_id: Annotated[Id, Path()], caller: SignedInCaller, screens: ScreensDep, form: Form
) -> RedirectResponse:
    """Add the tag typed in, or remove the one whose button was pressed."""
    added, removed = given(form, "add"), given(form, "remove")
    change = command(
        c.ChangeTags,
        caller.principal.actor,
        given(form, "idempotency_key"),
        customer_id=customer_id,
        add=(added,) if added else (),
        remove=(removed,) if removed else (),
    )
    await screens.services.ask("customer", change, c.CustomerView)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}", status_code=303)

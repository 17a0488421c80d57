"""Console pages of duplicates: the candidates with score and reasons, and the merge screen
(the two records side by side, the master chosen, what the other carries over, confirmed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.gateway.domain.roles import Action, FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    ScreensDep,
    SignedInCaller,
    ViewerDep,
    given,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.duplicates import accept_duplicate

router = APIRouter(prefix=f"{PREFIX}/duplicates", route_class=ConsoleRoute, include_in_schema=False)
CandidateId = Annotated[str, Path(min_length=3, max_length=200)]


@router.get("", dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))])
async def candidates(
    request: Request,
    caller: SignedInCaller,
    screens: ScreensDep,
    viewer: ViewerDep,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    found, customers = await screens.duplicates(caller, viewer, cursor)
    return page(request, "duplicates.html", candidates=found, customers=customers)


@router.get("/{candidate_id}", dependencies=[allowed(reads=(FieldGroup.CUSTOMERS,))])
async def merge_screen(
    request: Request,
    candidate_id: CandidateId,
    caller: SignedInCaller,
    screens: ScreensDep,
    viewer: ViewerDep,
    master: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    candidate, customers = await screens.merge(caller, viewer, candidate_id)
    chosen = master if master in candidate.customer_ids else candidate.customer_ids[0]
    other = next(i for i in candidate.customer_ids if i != chosen)
    return page(
        request,
        "merge.html",
        candidate=candidate,
        customers=customers,
        master=customers[chosen],
        source=customers[other],
        may_merge=caller.grants.may(Action.MERGE),
    )


@router.post("/{candidate_id}/merge", dependencies=[allowed(action=Action.MERGE)])
async def merge(
    candidate_id: CandidateId, caller: SignedInCaller, screens: ScreensDep, form: Form
) -> RedirectResponse:
    caller.grants.require(Action.MERGE)
    survivor = await accept_duplicate(
        screens.services,
        candidate_id,
        caller.principal.actor,
        master_id=given(form, "master_id"),
        idempotency_key=given(form, "idempotency_key"),
    )
    return RedirectResponse(f"{PREFIX}/customers/{survivor.id}", status_code=303)

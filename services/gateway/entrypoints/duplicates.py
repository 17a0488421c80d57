"""Duplicate candidates in the public API: a person lists them, accepts (merges) or dismisses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from services.gateway.domain.roles import Action
from services.gateway.entrypoints.dependencies import Caller, IdempotencyKey, ServicesDep, allowed
from services.gateway.use_cases.commands import command
from services.gateway.use_cases.duplicates import accept_duplicate
from shared.contracts import duplicates as dup
from shared.contracts.customers import CustomerView
from shared.contracts.envelope import Contract

CandidateId = Annotated[str, Path(min_length=3, max_length=200)]

# Deciding duplicates is merging: the whole area is for principals that may merge.
router = APIRouter(
    prefix="/v1/duplicates", tags=["duplicates"], dependencies=[allowed(action=Action.MERGE)]
)


class Acceptance(Contract):
    """Which of the two survives; by default the older record (the first id)."""

    master_id: str | None = None


@router.get("")
async def list_candidates(
    caller: Caller,
    services: ServicesDep,
    status: dup.CandidateStatus = dup.CandidateStatus.OPEN,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> dup.DuplicatePage:
    """Highest score first."""
    query = dup.ListDuplicates(
        status=status, customer_id=customer_id, limit=limit, cursor=cursor, actor=caller
    )
    return await services.ask("customer", query, dup.DuplicatePage)


@router.get("/{candidate_id}")
async def get_candidate(
    candidate_id: CandidateId, caller: Caller, services: ServicesDep
) -> dup.DuplicateCandidateView:
    query = dup.GetDuplicate(candidate_id=candidate_id, actor=caller)
    return await services.ask("customer", query, dup.DuplicateCandidateView)


@router.post("/{candidate_id}/accept")
async def accept_candidate(
    candidate_id: CandidateId,
    caller: Caller,
    services: ServicesDep,
    body: Annotated[Acceptance | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> CustomerView:
    """Merge the pair; the answer is the surviving customer."""
    return await accept_duplicate(
        services,
        candidate_id,
        caller,
        master_id=body.master_id if body else None,
        idempotency_key=idempotency_key,
    )


@router.post("/{candidate_id}/dismiss")
async def dismiss_candidate(
    candidate_id: CandidateId,
    caller: Caller,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> dup.DuplicateCandidateView:
    """Not the same person: the pair is not proposed again."""
    dismiss = command(dup.DismissDuplicate, caller, idempotency_key, candidate_id=candidate_id)
    return await services.ask("customer", dismiss, dup.DuplicateCandidateView)

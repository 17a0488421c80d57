"""Duplicate candidates in the public API: a person lists them, accepts (merges) or dismisses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from services.gateway.callers import Caller
from services.gateway.commands import IdempotencyKey, command
from services.gateway.services import Services
from shared.contracts import duplicates as dup
from shared.contracts.customers import CustomerView, MergeCustomers
from shared.contracts.envelope import Contract
from shared.contracts.replies import FieldError, ProblemError, invalid

CandidateId = Annotated[str, Path(min_length=3, max_length=200)]


class Acceptance(Contract):
    """Which of the two survives; by default the older record (the first id)."""

    master_id: str | None = None


def duplicates_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1/duplicates", tags=["duplicates"])

    async def send(message: Any) -> Any:
        return await services.ask("customer", message)

    @router.get("", response_model=dup.DuplicatePage)
    async def list_candidates(
        caller: Caller,
        status: dup.CandidateStatus = dup.CandidateStatus.OPEN,
        customer_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=300)] = None,
    ) -> Any:
        """Highest score first."""
        return await send(
            dup.ListDuplicates(
                status=status, customer_id=customer_id, limit=limit, cursor=cursor, actor=caller
            )
        )

    @router.get("/{candidate_id}", response_model=dup.DuplicateCandidateView)
    async def get_candidate(candidate_id: CandidateId, caller: Caller) -> Any:
        return await send(dup.GetDuplicate(candidate_id=candidate_id, actor=caller))

    @router.post("/{candidate_id}/accept", response_model=CustomerView)
    async def accept_candidate(
        candidate_id: CandidateId,
        caller: Caller,
        body: Annotated[Acceptance | None, Body()] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """Merge the pair; the answer is the surviving customer."""
        candidate = await send(dup.GetDuplicate(candidate_id=candidate_id, actor=caller))
        ids = candidate["customer_ids"]
        master = body.master_id if body and body.master_id else ids[0]
        if master not in ids:
            raise ProblemError(
                invalid(
                    "the master must be one of the pair",
                    (FieldError(field="master_id", message="not one of the candidate's ids"),),
                )
            )
        return await send(
            command(
                MergeCustomers,
                caller,
                idempotency_key,
                master_id=master,
                source_ids=tuple(i for i in ids if i != master),
                candidate_id=candidate_id,
            )
        )

    @router.post("/{candidate_id}/dismiss", response_model=dup.DuplicateCandidateView)
    async def dismiss_candidate(
        candidate_id: CandidateId, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Any:
        """Not the same person: the pair is not proposed again."""
        return await send(
            command(dup.DismissDuplicate, caller, idempotency_key, candidate_id=candidate_id)
        )

    return router

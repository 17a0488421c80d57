"""Duplicate candidates: pairs of customers that look alike, proposed for a person to decide.

Weak similarity never merges by itself. Accepting a candidate is a `MergeCustomers` command
that names the candidate; dismissing one keeps it from being proposed again.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Actor, Command, Contract, Query

CandidateId = Annotated[str, Field(min_length=3, max_length=200)]


class CandidateStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    # One of the pair was merged into a third customer or erased: nothing left to decide.
    OBSOLETE = "obsolete"


class DuplicateCandidateView(Contract):
    id: str
    customer_ids: tuple[str, str]
    # 0..100: how alike the two records are.
    score: float
    reasons: tuple[str, ...]
    status: CandidateStatus
    proposed_at: AwareDatetime
    decided_at: AwareDatetime | None = None
    decided_by: Actor | None = None


class DuplicatePage(Contract):
    items: tuple[DuplicateCandidateView, ...]
    next_cursor: str | None = None


class ListDuplicates(Query):
    """Highest score first."""

    type: Literal["customer.duplicates.list.v1"] = "customer.duplicates.list.v1"
    status: CandidateStatus = CandidateStatus.OPEN
    customer_id: Annotated[str, Field(max_length=64)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=300)] | None = None


class GetDuplicate(Query):
    type: Literal["customer.duplicate.get.v1"] = "customer.duplicate.get.v1"
    candidate_id: CandidateId


class DismissDuplicate(Command):
    type: Literal["customer.duplicate.dismiss.v1"] = "customer.duplicate.dismiss.v1"
    candidate_id: CandidateId

"""Accepting a duplicate candidate: the pair becomes one customer.

The caller may say which of the two survives (the master); by default it is the first id of the
pair, the older record. The customer service then merges the other one into it, as for
`POST /v1/customers/{id}/merge`, and marks the candidate accepted.
"""

from __future__ import annotations

from services.gateway.use_cases.commands import command
from services.gateway.use_cases.ports import Services
from shared.contracts.customers import CustomerView, MergeCustomers
from shared.contracts.duplicates import DuplicateCandidateView, GetDuplicate
from shared.contracts.envelope import Actor
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput


def chosen_master(candidate: DuplicateCandidateView, master_id: str | None) -> str:
    """The id that survives the merge: the caller's choice, which must be one of the pair."""
    master = master_id or candidate.customer_ids[0]
    if master not in candidate.customer_ids:
        raise InvalidInput(
            [FieldError(field="master_id", message="not one of the candidate's ids")],
            "the master must be one of the pair",
        )
    return master


async def accept_duplicate(
    services: Services,
    candidate_id: str,
    caller: Actor,
    *,
    master_id: str | None = None,
    idempotency_key: str | None = None,
) -> CustomerView:
    """Merge the pair of a candidate; the answer is the surviving customer."""
    candidate = await services.ask(
        "customer", GetDuplicate(candidate_id=candidate_id, actor=caller), DuplicateCandidateView
    )
    master = chosen_master(candidate, master_id)
    merge = command(
        MergeCustomers,
        caller,
        idempotency_key,
        master_id=master,
        source_ids=tuple(i for i in candidate.customer_ids if i != master),
        candidate_id=candidate_id,
    )
    return await services.ask("customer", merge, CustomerView)

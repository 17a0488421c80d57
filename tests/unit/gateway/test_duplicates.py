"""Accepting a duplicate candidate: which record survives, and the merge that follows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.gateway.use_cases.duplicates import accept_duplicate
from shared.contracts.customers import CustomerStatus, CustomerView, MergeCustomers
from shared.contracts.duplicates import CandidateStatus, DuplicateCandidateView, GetDuplicate
from shared.contracts.envelope import Actor, ActorType
from shared.errors import InvalidInput
from tests.unit.gateway.fakes import FakeServices

CALLER = Actor(type=ActorType.SUPPORTER, id="s-1")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def services() -> FakeServices:
    def candidate(query: GetDuplicate) -> DuplicateCandidateView:
        return DuplicateCandidateView(
            id=query.candidate_id,
            customer_ids=("older", "newer"),
            score=91.0,
            reasons=("same name",),
            status=CandidateStatus.OPEN,
            proposed_at=NOW,
        )

    def merged(command: MergeCustomers) -> CustomerView:
        return CustomerView(
            id=command.master_id,
            customer_number=10001,
            status=CustomerStatus.ACTIVE,
            version=2,
            created_at=NOW,
            updated_at=NOW,
        )

    return FakeServices(
        {("customer", GetDuplicate): candidate, ("customer", MergeCustomers): merged}
    )


async def test_the_older_record_survives_unless_the_caller_chooses() -> None:
    fake = services()
    survivor = await accept_duplicate(fake, "older|newer", CALLER)
    [merge] = fake.sent(MergeCustomers)
    assert (merge.master_id, merge.source_ids) == ("older", ("newer",))
    assert merge.candidate_id == "older|newer"
    assert merge.actor == CALLER
    assert survivor.id == "older"


async def test_the_caller_may_keep_the_other_one() -> None:
    fake = services()
    survivor = await accept_duplicate(fake, "older|newer", CALLER, master_id="newer")
    [merge] = fake.sent(MergeCustomers)
    assert (merge.master_id, merge.source_ids) == ("newer", ("older",))
    assert survivor.id == "newer"


async def test_a_master_outside_the_pair_is_refused_and_nothing_is_merged() -> None:
    fake = services()
    with pytest.raises(InvalidInput) as refused:
        await accept_duplicate(fake, "older|newer", CALLER, master_id="someone-else")
    assert [e.field for e in refused.value.errors] == ["master_id"]
    assert fake.sent(MergeCustomers) == []


async def test_a_retried_acceptance_is_the_same_merge() -> None:
    first, retry = services(), services()
    await accept_duplicate(first, "older|newer", CALLER, idempotency_key="accept-0001")
    await accept_duplicate(retry, "older|newer", CALLER, idempotency_key="accept-0001")
    assert first.sent(MergeCustomers)[0].message_id == retry.sent(MergeCustomers)[0].message_id

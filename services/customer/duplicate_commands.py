"""Use case: a person dismisses a duplicate candidate (accepting one is a merge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.errors import Conflict, NotFound
from services.customer.transactions import Done, reference
from shared.contracts.duplicates import CandidateStatus

if TYPE_CHECKING:
    from services.customer.duplicate_store import DuplicateStore
    from services.customer.transactions import Transactions
    from shared.contracts.duplicates import DismissDuplicate
    from shared.mongo import Session


@dataclass
class DuplicateCommands:
    transactions: Transactions
    duplicates: DuplicateStore

    async def dismiss(self, command: DismissDuplicate) -> dict[str, str]:
        async def body(session: Session) -> Done:
            candidate = await self.duplicates.get(command.candidate_id, session=session)
            if candidate is None:
                raise NotFound("Duplicate candidate", f"no candidate {command.candidate_id}")
            if candidate.status is not CandidateStatus.OPEN:
                raise Conflict(f"the candidate is {candidate.status.value} already")
            await self.duplicates.decide(
                candidate.id,
                CandidateStatus.DISMISSED,
                actor=command.actor,
                now=datetime.now(UTC),
                session=session,
            )
            return Done(ref=reference(candidate_id=candidate.id))

        return await self.transactions.run(command, body)

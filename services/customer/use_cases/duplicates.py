"""Use case: a person dismisses a duplicate candidate (accepting one is a merge)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.errors import Conflict, NotFound
from services.customer.use_cases.ports import reference
from shared.contracts.duplicates import CandidateStatus
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.use_cases.ports import Clock, Duplicates, Ref
    from shared.contracts.duplicates import DismissDuplicate
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner


@dataclass
class DuplicateCommands:
    unit: ChangeRunner
    duplicates: Duplicates
    clock: Clock

    async def dismiss(self, command: DismissDuplicate) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            candidate = await self.duplicates.get(command.candidate_id, session=session)
            if candidate is None:
                raise NotFound("Duplicate candidate", f"no candidate {command.candidate_id}")
            if candidate.status is not CandidateStatus.OPEN:
                raise Conflict(f"the candidate is {candidate.status.value} already")
            await self.duplicates.decide(
                candidate.id,
                CandidateStatus.DISMISSED,
                actor=command.actor,
                now=self.clock(),
                session=session,
            )
            return Outcome.kept(reference(candidate_id=candidate.id))

        return await self.unit.run(command, change)

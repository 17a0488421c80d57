"""Managing the purposes of consent (they are data: see domain/purposes.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.consent.domain.errors import PurposeExists
from services.consent.domain.purposes import PurposeDefinition
from shared.contracts.consent import (
    ChangePurpose,
    DefinePurpose,
    ListPurposes,
    PurposeList,
    PurposeView,
)
from shared.errors import NotFound
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.consent.use_cases.ports import Purposes, UnitOfWork
    from shared.mongo import Document, Session


@dataclass
class PurposeManagement:
    purposes: Purposes
    unit: UnitOfWork

    async def define(self, command: DefinePurpose) -> PurposeView:
        purpose = PurposeDefinition(
            key=command.key, title=command.title, description=command.description
        )

        async def add(session: Session) -> Outcome[PurposeView]:
            existing = await self.purposes.get(command.key, session=session)
            if existing is None:
                await self.purposes.add(purpose, session=session)
            elif existing != purpose:
                raise PurposeExists(command.key)
            # else: the same definition again (a retried request): nothing to do.
            return Outcome(view(purpose))

        return await self.unit.run(command, add, repeated=self._current(command.key))

    async def change(self, command: ChangePurpose) -> PurposeView:
        async def edit(session: Session) -> Outcome[PurposeView]:
            current = await self.purposes.get(command.key, session=session)
            if current is None:
                raise NotFound("Purpose", f"no purpose {command.key!r}")
            changes = command.model_dump(
                include={"title", "description", "active"}, exclude_none=True
            )
            changed = current.model_copy(update=changes)
            if changed != current:
                await self.purposes.update(changed, session=session)
            return Outcome(view(changed))

        return await self.unit.run(command, edit, repeated=self._current(command.key))

    async def list(self, _: ListPurposes) -> PurposeList:
        return PurposeList(items=tuple(view(p) for p in await self.purposes.all()))

    def _current(self, key: str) -> Callable[[Document, Session], Awaitable[PurposeView]]:
        """The answer to a request processed before: the purpose as it is now."""

        async def current(_: Document, session: Session) -> PurposeView:
            purpose = await self.purposes.get(key, session=session)
            if purpose is None:
                raise NotFound("Purpose", f"no purpose {key!r}")
            return view(purpose)

        return current


def view(purpose: PurposeDefinition) -> PurposeView:
    return PurposeView(
        key=purpose.key,
        title=purpose.title,
        description=purpose.description,
        active=purpose.active,
    )

"""Managing the purposes of consent (they are data: see domain/purposes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from services.consent.domain.purposes import PurposeDefinition
from services.consent.purpose_store import PurposeExists, PurposeStore
from shared.contracts.consent import (
    ChangePurpose,
    DefinePurpose,
    ListPurposes,
    PurposeList,
    PurposeView,
)
from shared.contracts.replies import FieldError, Problem, ProblemError, not_found


@dataclass
class ConsentPurposes:
    store: PurposeStore

    async def define(self, command: DefinePurpose) -> PurposeView:
        purpose = PurposeDefinition(
            key=command.key, title=command.title, description=command.description
        )
        try:
            await self.store.add(purpose)
        except PurposeExists as error:
            existing = await self.store.get(command.key)
            if existing == purpose:
                # The same definition again (a retried request): nothing to do.
                return purpose.view()
            raise ProblemError(
                Problem(
                    type="urn:problem:purpose-exists",
                    title="Purpose exists",
                    status=409,
                    detail=f"purpose {command.key!r} exists; change it instead",
                    errors=(FieldError(field="key", message="a purpose with this key exists"),),
                )
            ) from error
        return purpose.view()

    async def change(self, command: ChangePurpose) -> PurposeView:
        current = await self.store.get(command.key)
        if current is None:
            raise ProblemError(not_found("Purpose", f"no purpose {command.key!r}"))
        changes = command.model_dump(include={"title", "description", "active"}, exclude_none=True)
        changed = current.model_copy(update=changes)
        if changed != current and not await self.store.update(changed):
            raise ProblemError(not_found("Purpose", f"no purpose {command.key!r}"))
        return changed.view()

    async def list(self, _: ListPurposes) -> PurposeList:
        return PurposeList(items=tuple(p.view() for p in await self.store.all()))

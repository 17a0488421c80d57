"""Writing a changed task: the task and its alarms, in the change's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from services.tasks.domain.task import Task
from services.tasks.use_cases.ports import Alarms, Session, Tasks


@dataclass
class TaskWriter:
    tasks: Tasks
    alarms: Alarms

    async def save(self, before: Task | None, after: Task, *, session: Session) -> None:
        """Store `after` (new if `before` is None); alarms it no longer has are disarmed."""
        if before is None:
            await self.tasks.add(after, session=session)
        else:
            await self.tasks.replace(after, previous_version=before.version, session=session)
        was = before.alarms if before else ()
        added = [a for a in after.alarms if a not in was]
        disarmed = [a.id for a in was if a not in after.alarms]
        if added or disarmed:
            await self.alarms.arm(after.id, added, disarmed, session=session)

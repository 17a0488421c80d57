"""Task reminders and overdue alerts by mail to the assignee, when the assignee has an address
(`domain.recipients`); once per alarm, as the alarm's event id is the mail's."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from services.mailer.domain.mails import Mail
from services.mailer.domain.recipients import address_of
from services.mailer.use_cases.ports import Templates
from services.mailer.use_cases.sending import SendOnce
from shared.contracts.tasks import TaskOverdue, TaskReminderDue

log = logging.getLogger(__name__)
REMINDER, OVERDUE = "task_reminder", "task_overdue"


@dataclass
class TaskAlarmMails:
    once: SendOnce
    templates: Templates
    # Principals have no language the suite knows: the mailer's default, if a template has it.
    language: str

    async def reminder(self, event: TaskReminderDue) -> bool:
        return await self._send(
            event, REMINDER, event.assignee, remind_at=event.remind_at, due_at=event.due_at
        )

    async def overdue(self, event: TaskOverdue) -> bool:
        return await self._send(event, OVERDUE, event.assignee, due_at=event.due_at)

    async def _send(
        self, event: TaskReminderDue | TaskOverdue, kind: str, assignee: str, **times: Any
    ) -> bool:
        address = address_of(assignee)
        if address is None:
            log.debug("no %s mail for %s: not an address", kind, event.task_id)
            return False
        language = self.language if self.language in self.templates.languages(kind) else "en"

        async def write() -> Mail:
            context = {"title": event.title, "task_id": event.task_id, **times}
            subject, text, html = self.templates.render(kind, language, context)
            return Mail(event.message_id, address, language, subject, text, html)

        return await self.once.send(event, write)

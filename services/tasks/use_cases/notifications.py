"""An assignee's notifications: written when a reminder or overdue alert of their task rings.

The tasks service is itself a consumer of its `task.reminder_due` and `task.overdue` events,
like the mailer and the customer timeline will be: it dedupes on the message id (the alarm's
id) in its inbox, and the notification's own id is the alarm's id too, so an event that arrives
twice (published again by the outbox relay after a crash) makes one notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.tasks.domain.notifications import Notification
from services.tasks.domain.reminders import AlarmKind
from services.tasks.use_cases.ports import Changes, Clock, Notifications, Session, Tasks
from services.tasks.use_cases.views import notification_view
from shared.contracts.tasks import (
    ListNotifications,
    MarkNotificationsRead,
    NotificationPage,
    NotificationsMarked,
    TaskOverdue,
    TaskReminderDue,
)
from shared.mongo import Document
from shared.unit_of_work import Outcome, no_result


@dataclass
class TaskNotifications:
    notifications: Notifications
    tasks: Tasks
    changes: Changes
    clock: Clock

    async def on_reminder_due(self, event: TaskReminderDue) -> None:
        await self._notify(event, event.assignee, AlarmKind.REMINDER, event.remind_at)

    async def on_overdue(self, event: TaskOverdue) -> None:
        await self._notify(event, event.assignee, AlarmKind.OVERDUE, event.due_at)

    async def _notify(
        self, event: TaskReminderDue | TaskOverdue, recipient: str, kind: AlarmKind, at: datetime
    ) -> None:
        notification = Notification(
            id=event.message_id,
            recipient=recipient,
            task_id=event.task_id,
            kind=kind,
            at=at,
            created_at=self.clock(),
        )

        async def change(session: Session) -> Outcome[None]:
            await self.notifications.add(notification, session=session)
            return Outcome(None)

        await self.changes.run(event, change, repeated=no_result)

    async def list(self, query: ListNotifications) -> NotificationPage:
        """The asker's own notifications, newest first, with the task as it is now."""
        recipient = query.actor.id
        found, cursor = await self.notifications.page(
            recipient, unread_only=query.unread_only, limit=query.limit, cursor=query.cursor
        )
        tasks = await self.tasks.by_ids(list(dict.fromkeys(n.task_id for n in found)))
        return NotificationPage(
            items=tuple(notification_view(n, tasks.get(n.task_id)) for n in found),
            unread=await self.notifications.unread(recipient),
            next_cursor=cursor,
        )

    async def mark_read(self, command: MarkNotificationsRead) -> NotificationsMarked:
        async def change(session: Session) -> Outcome[NotificationsMarked]:
            marked = await self.notifications.mark_read(
                command.actor.id, command.notification_ids, now=self.clock(), session=session
            )
            answer = NotificationsMarked(marked=marked)
            return Outcome(answer, remembered=answer.model_dump(mode="json"))

        async def repeated(earlier: Document, _: Session) -> NotificationsMarked:
            return NotificationsMarked.model_validate(earlier["result"])

        return await self.changes.run(command, change, repeated=repeated)

"""Rung alarms become the assignee's notifications: once each, newest first, marked read."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    CreateTask,
    ListNotifications,
    MarkNotificationsRead,
    NotificationKind,
    TaskDraft,
    TaskOverdue,
    TaskReminderDue,
)
from tests.unit.tasks.fakes import Service

ANNA = Actor(type=ActorType.SUPPORTER, id="anna")
BEN = Actor(type=ActorType.SUPPORTER, id="ben")


async def rung(service: Service) -> list[TaskReminderDue | TaskOverdue]:
    """A task of Anna's whose two reminders and overdue alert all rang."""
    draft = TaskDraft(
        title="Send the voucher",
        due_at=service.clock.now + timedelta(hours=2),
        reminders=("PT1H", "PT30M"),
    )
    await service.changes.create(CreateTask(task=draft, actor=ANNA))
    service.clock.advance(hours=2)
    await service.ringing("a").ring_due()
    return [*service.published.of(TaskReminderDue), *service.published.of(TaskOverdue)]


async def deliver(service: Service, event: TaskReminderDue | TaskOverdue) -> None:
    if isinstance(event, TaskReminderDue):
        await service.inbox_notifications.on_reminder_due(event)
    else:
        await service.inbox_notifications.on_overdue(event)


async def test_each_rung_alarm_is_one_notification_even_if_delivered_twice() -> None:
    service = Service()
    events = await rung(service)
    assert len(events) == 3
    for event in [*events, *events]:
        await deliver(service, event)
    assert sorted(service.notifications.stored) == sorted(e.message_id for e in events)


async def test_the_assignee_sees_their_notifications_newest_first() -> None:
    service = Service()
    for event in await rung(service):
        await deliver(service, event)
    page = await service.inbox_notifications.list(ListNotifications(actor=ANNA))
    assert [n.kind for n in page.items] == [
        NotificationKind.OVERDUE,
        NotificationKind.REMINDER,
        NotificationKind.REMINDER,
    ]
    assert [n.at for n in page.items] == sorted((n.at for n in page.items), reverse=True)
    assert page.items[0].title == "Send the voucher"
    assert page.unread == 3
    assert (await service.inbox_notifications.list(ListNotifications(actor=BEN))).items == ()


async def test_only_ones_own_notifications_are_marked_read() -> None:
    service = Service()
    for event in await rung(service):
        await deliver(service, event)
    ids = tuple(service.notifications.stored)
    by_ben = await service.inbox_notifications.mark_read(
        MarkNotificationsRead(notification_ids=ids, actor=BEN)
    )
    assert by_ben.marked == 0
    command = MarkNotificationsRead(notification_ids=ids[:2], actor=ANNA)
    assert (await service.inbox_notifications.mark_read(command)).marked == 2
    # The same request again answers the same.
    assert (await service.inbox_notifications.mark_read(command)).marked == 2
    page = await service.inbox_notifications.list(ListNotifications(unread_only=True, actor=ANNA))
    assert [n.id for n in page.items] == [ids[2]]
    assert page.unread == 1

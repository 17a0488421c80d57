"""The mailer's queue: the events it turns into mail (`<namespace>.mailer`).

A new mail is a template folder, a use case like `DoubleOptInMails`, one `register` line here
and the event's routing key in the mailer's queue bindings (`shared.topology`).
"""

from __future__ import annotations

from faststream.rabbit import RabbitRouter

from services.mailer.use_cases.double_opt_in import DoubleOptInMails
from services.mailer.use_cases.task_alarms import TaskAlarmMails
from shared.contracts.consent import DoubleOptInRequested
from shared.contracts.tasks import TaskOverdue, TaskReminderDue
from shared.dispatch import Dispatcher, Received
from shared.topology import Topology


def event_router(
    topology: Topology, double_opt_in: DoubleOptInMails, task_alarms: TaskAlarmMails
) -> RabbitRouter:
    dispatcher: Dispatcher[bool] = Dispatcher(ignore=("consent.", "task."))
    dispatcher.register(DoubleOptInRequested, double_opt_in.send)
    dispatcher.register(TaskReminderDue, task_alarms.reminder)
    dispatcher.register(TaskOverdue, task_alarms.overdue)
    router = RabbitRouter()

    @router.subscriber(topology.mailer.subscription(), title="mailer inbox")
    @dispatcher.typed
    async def on_event(body: Received) -> None:
        await dispatcher.dispatch(body)

    return router

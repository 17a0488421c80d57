"""The request queue: what callers (the gateway) ask and wait for, answered with a result or a
problem (shared.rpc.answer), never with silence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faststream.rabbit import RabbitRouter

from services.tasks.use_cases.changes import TaskChanges
from services.tasks.use_cases.notifications import TaskNotifications
from services.tasks.use_cases.queries import TaskQueries
from services.tasks.use_cases.reports import TaskReports
from shared.contracts.tasks import (
    ChangeTask,
    ChangeTaskStatus,
    CommentOnTask,
    CreateTask,
    FindTasks,
    GetCustomerTasks,
    GetTask,
    GetTaskHistory,
    GetTaskReport,
    ListNotifications,
    MarkNotificationsRead,
    ReassignTask,
    ReopenTask,
)
from shared.dispatch import Dispatcher, Received
from shared.rpc import answer
from shared.topology import Topology

SERVICE = "tasks"


@dataclass
class TaskRequests:
    changes: TaskChanges
    queries: TaskQueries
    notifications: TaskNotifications
    reports: TaskReports


def request_dispatcher(cases: TaskRequests) -> Dispatcher[Any]:
    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(CreateTask, cases.changes.create)
    dispatcher.register(ChangeTask, cases.changes.change)
    dispatcher.register(ReassignTask, cases.changes.reassign)
    dispatcher.register(ChangeTaskStatus, cases.changes.change_status)
    dispatcher.register(ReopenTask, cases.changes.reopen)
    dispatcher.register(CommentOnTask, cases.changes.comment)
    dispatcher.register(GetTask, cases.queries.get)
    dispatcher.register(GetTaskHistory, cases.queries.history)
    dispatcher.register(FindTasks, cases.queries.find)
    dispatcher.register(GetCustomerTasks, cases.queries.open_tasks_of_customer)
    dispatcher.register(ListNotifications, cases.notifications.list)
    dispatcher.register(MarkNotificationsRead, cases.notifications.mark_read)
    dispatcher.register(GetTaskReport, cases.reports.report)
    return dispatcher


def request_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription(SERVICE), title="tasks requests")
    @dispatcher.typed
    async def on_request(body: Received) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router

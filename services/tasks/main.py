"""Composition root of the tasks service: the only place its parts are wired together."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI

from services.tasks.adapters.alarm_store import MongoAlarms
from services.tasks.adapters.customers import MongoCustomers
from services.tasks.adapters.notification_store import MongoNotifications
from services.tasks.adapters.task_store import MongoTasks
from services.tasks.adapters.transactions import OutboxOnceOnly
from services.tasks.domain.times import instant
from services.tasks.entrypoints.alarm_clock import keep_ringing
from services.tasks.entrypoints.inbox import directory_batcher, inbox_dispatcher, inbox_router
from services.tasks.entrypoints.requests import TaskRequests, request_dispatcher, request_router
from services.tasks.settings import TasksSettings
from services.tasks.use_cases.alarms import AlarmRinging
from services.tasks.use_cases.changes import TaskChanges
from services.tasks.use_cases.customers import CustomerLives
from services.tasks.use_cases.notifications import TaskNotifications
from services.tasks.use_cases.ports import VersionMoved
from services.tasks.use_cases.queries import TaskQueries
from services.tasks.use_cases.reports import TaskReports
from services.tasks.use_cases.saving import TaskWriter
from shared.contracts.envelope import utc_now
from shared.customer_directory import CustomerDirectory
from shared.health import database_check
from shared.inbox import Inbox
from shared.mongo import make_client
from shared.outbox import Outbox
from shared.redelivery import Redelivery
from shared.runtime import Hook, ServiceRuntime, configure_logging, serve
from shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker
    from pymongo import AsyncMongoClient

    from shared.mongo import Document
    from shared.topology import Topology

NAME = "tasks"


def clock() -> datetime:
    return instant(utc_now())


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class TasksService:
    """The tasks service's parts, without the process around them."""

    lives: CustomerLives
    notifications: TaskNotifications
    requests: TaskRequests
    ringing: AlarmRinging
    outbox: Outbox
    # Run once before messages are consumed.
    start_up: list[Hook]


def assemble(
    client: AsyncMongoClient[Document],
    settings: TasksSettings,
    broker: RabbitBroker,
    topology: Topology,
) -> TasksService:
    db = client[settings.database]
    tasks = MongoTasks(db["tasks"])
    alarms = MongoAlarms(db["alarms"], clock)
    notifications = MongoNotifications(db["notifications"])
    customers = MongoCustomers(CustomerDirectory(db["customers"]), db["merges"], clock)
    inbox = Inbox(db["inbox"])
    outbox = Outbox(db["outbox"], broker, topology)
    changes = UnitOfWork(client, inbox, outbox, retry_on=(VersionMoved,))
    writer = TaskWriter(tasks, alarms)
    once = OutboxOnceOnly(client, db["rung_alarms"], outbox)
    task_notifications = TaskNotifications(notifications, tasks, changes, clock)
    requests = TaskRequests(
        changes=TaskChanges(tasks, writer, customers, changes, clock, new_id),
        queries=TaskQueries(tasks, clock),
        notifications=task_notifications,
        reports=TaskReports(tasks, clock),
    )
    ringing = AlarmRinging(
        alarms,
        tasks,
        once,
        clock,
        owner=f"{socket.gethostname()}/{os.getpid()}/{new_id()[:8]}",
        lease=timedelta(seconds=settings.alarm_lease_s),
    )
    start_up: list[Hook] = [
        tasks.ensure_indexes,
        alarms.ensure_indexes,
        once.ensure_indexes,
        notifications.ensure_indexes,
        customers.ensure_indexes,
        inbox.ensure_indexes,
        outbox.ensure_indexes,
    ]
    lives = CustomerLives(tasks, writer, customers, outbox, changes, clock)
    return TasksService(lives, task_notifications, requests, ringing, outbox, start_up)


def create_app(settings: TasksSettings | None = None) -> FastAPI:
    settings = settings or TasksSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    service = assemble(client, settings, runtime.broker, runtime.topology)

    batch = settings.directory_batch_size
    at_once = settings.directory_batches_at_once
    wait_s = settings.directory_batch_wait_ms / 1000
    learnt = directory_batcher(service.lives, size=batch, wait_s=wait_s, concurrency=at_once)
    runtime.broker.include_router(
        inbox_router(
            runtime.topology,
            inbox_dispatcher(
                service.lives, service.notifications, learnt=learnt if batch > 1 else None
            ),
            # Room for the batches that run and one more being collected.
            prefetch=max(settings.prefetch, (at_once + 1) * batch),
        ),
        middlewares=[Redelivery(runtime.broker, runtime.topology.tasks)],
    )
    runtime.broker.include_router(
        request_router(runtime.topology, request_dispatcher(service.requests))
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start += service.start_up
    runtime.background.append(service.outbox.relay)

    async def alarm_clock() -> None:
        await keep_ringing(service.ringing, interval_s=settings.alarm_poll_s)

    runtime.background.append(alarm_clock)
    runtime.on_stop += [learnt.drain, client.close]
    app = runtime.app(title="tasks service")
    # For a shell or a test: the service's parts.
    app.state.tasks = service
    return app


def run() -> None:
    settings = TasksSettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

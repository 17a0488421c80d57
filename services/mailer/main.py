"""Composition root of the mailer: the only place its parts are wired together."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.mailer.adapters.customers import CustomerLanguages
from services.mailer.adapters.sent_mails import MongoSentMails
from services.mailer.adapters.smtp import SmtpSender
from services.mailer.adapters.templates import JinjaTemplates
from services.mailer.entrypoints.events import event_router
from services.mailer.settings import MailerSettings
from services.mailer.use_cases.double_opt_in import DoubleOptInMails
from services.mailer.use_cases.sending import SendOnce
from services.mailer.use_cases.task_alarms import TaskAlarmMails
from shared.contracts.envelope import utc_now
from shared.health import database_check
from shared.mongo import make_client
from shared.redelivery import Redelivery
from shared.rpc import RpcClient
from shared.runtime import ServiceRuntime, configure_logging, serve

NAME = "mailer"


def create_app(settings: MailerSettings | None = None) -> FastAPI:
    settings = settings or MailerSettings()
    runtime = ServiceRuntime.create(NAME, settings)
    client = make_client(settings.mongodb_url.get_secret_value(), app_name=NAME)
    sent = MongoSentMails(
        client[settings.database]["sent_mails"],
        # Longer than every try of one delivery may take, so a live sender keeps its claim.
        lease=timedelta(seconds=settings.smtp_timeout_s * settings.smtp_attempts * 2 + 60),
        clock=utc_now,
    )
    rpc = RpcClient(runtime.broker, runtime.topology, timeout_s=settings.rpc_timeout_s)
    once = SendOnce(sent, SmtpSender(settings))
    templates = JinjaTemplates()
    double_opt_in = DoubleOptInMails(
        once=once,
        templates=templates,
        customers=CustomerLanguages(rpc),
        link_secret=settings.consent_secret.get_secret_value().encode(),
        default_language=settings.default_language,
    )
    task_alarms = TaskAlarmMails(once, templates, language=settings.default_language)
    runtime.broker.include_router(
        event_router(runtime.topology, double_opt_in, task_alarms),
        middlewares=[Redelivery(runtime.broker, runtime.topology.mailer)],
    )
    runtime.checks["database"] = database_check(client)
    runtime.on_start.append(sent.ensure_indexes)
    runtime.on_stop.append(client.close)
    return runtime.app(title="mailer")


def run() -> None:
    settings = MailerSettings()
    configure_logging(settings, NAME)
    serve(create_app(settings), settings)

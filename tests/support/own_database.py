"""A database server a test owns, so that it can freeze (SIGSTOP) or stop it without touching the
session's shared one."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import Namespace
from tests.support.broker import delete_namespace, unique_namespace
from tests.support.infrastructure import Infrastructure
from tools.embedded_mongo import EmbeddedMongo


@dataclass
class OwnDatabase:
    server: EmbeddedMongo
    namespace: Namespace

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The server's process stopped (SIGSTOP): connections hang, nothing answers."""
        os.kill(self.server.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.server.pid, signal.SIGCONT)


@contextlib.asynccontextmanager
async def own_database(
    infra: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[OwnDatabase]:
    server = EmbeddedMongo()
    url = server.start()
    try:
        namespace = Namespace(
            unique_namespace(), Infrastructure(infra.amqp_url, url, "a test's own SecantusDB")
        )
        for key, value in namespace.env().items():
            monkeypatch.setenv(key, value)
        try:
            yield OwnDatabase(server, namespace)
        finally:
            await delete_namespace(infra.amqp_url, namespace.topology)
    finally:
        server.stop()

"""Every deployed service as its own process, on free ports, in a test's namespace."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Namespace
from tests.support.databases import drop_databases
from tests.support.deployment import DEPLOYED_SERVICES
from tests.support.processes import Process, service, wait_ready
from tools.embedded_mongo import free_ports
from tools.mail_sink import mail_sink

# Databases of the services the in-process suite does not start (see Namespace.env).
EXTRA_DATABASES = ("mailer", "pullers")


@dataclass
class RunningSuite:
    ports: dict[str, int]
    logs: dict[str, Path]
    processes: dict[str, Process]
    mail_dir: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def stop(self) -> None:
        """SIGTERM to every service, as an orchestrator stops them; waits for each to exit."""
        for process in self.processes.values():
            if process.popen is not None and process.popen.poll() is None:
                process.signal(signal.SIGTERM)
        for process in self.processes.values():
            process.wait(30)


@contextlib.asynccontextmanager
async def running_services(
    namespace: Namespace, directory: Path, env: dict[str, str]
) -> AsyncIterator[RunningSuite]:
    """The seven services with `env` on top of the namespace's; stopped and killed on exit."""
    *chosen, mail_port = free_ports(len(DEPLOYED_SERVICES) + 1)
    ports = dict(zip(DEPLOYED_SERVICES, chosen, strict=True))
    mail_dir = directory / "mail"
    with contextlib.ExitStack() as stack:
        smtp_port = stack.enter_context(mail_sink(mail_dir, mail_port))
        common = (
            dict(os.environ)
            | namespace.env()
            | {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
            | {f"{name.upper()}_DATABASE": namespace.database(name) for name in EXTRA_DATABASES}
            | {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMTP_SECURITY": "none",
                "GATEWAY_INGEST_URL": f"http://127.0.0.1:{ports['ingest']}",
                "PULLERS_INGEST_URL": f"http://127.0.0.1:{ports['ingest']}",
                "PYTHONUNBUFFERED": "1",
            }
            | env
        )
        logs = {name: directory / f"{name}.log" for name in DEPLOYED_SERVICES}
        processes = {
            name: stack.enter_context(service(name, env=common, log=logs[name]))
            for name in DEPLOYED_SERVICES
        }
        await asyncio.gather(
            *(
                asyncio.to_thread(
                    wait_ready, ports[name], process=processes[name].popen, log=logs[name]
                )
                for name in DEPLOYED_SERVICES
            )
        )
        yield RunningSuite(ports, logs, processes, mail_dir)
    # Only once every process has stopped (see tests.support.databases).
    await drop_databases(
        namespace.infra.mongodb_url, (namespace.database(name) for name in EXTRA_DATABASES)
    )

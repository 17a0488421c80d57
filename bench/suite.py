"""The suite as a user runs it: every service its own process, on the real broker and database.

Each run gets its own broker namespace and databases (dropped when it stops), so runs on one
server do not see each other's queues or data; `customers` extra customer-service processes
compete for its work queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.mix import Secrets
from shared.topology import Topology
from tests.support.broker import delete_namespace
from tests.support.databases import drop_databases
from tests.support.processes import ROOT, Process, service, tail, wait_ready
from tools.embedded_mongo import free_port

# The services an order passes through, in the order they start.
ORDER_PATH = ("customer", "consent", "tasks", "ingest", "gateway")
DATABASES = ("customer", "consent", "tasks", "ingest", "gateway")
# A key the gateway takes as an admin's in development (ignored by a gateway without keys).
BENCH_API_KEY = "dev-only-bench-admin-key-0123456789"


@dataclass
class Suite:
    namespace: str
    env: dict[str, str]
    processes: dict[str, list[Process]] = field(default_factory=dict)
    # The HTTP ports of each service's processes, the first one's for `url`.
    ports: dict[str, list[int]] = field(default_factory=dict)

    def database(self, service_name: str) -> str:
        return self.env[f"{service_name.upper()}_DATABASE"]

    @property
    def topology(self) -> Topology:
        return Topology(self.namespace)

    def url(self, service_name: str) -> str:
        return f"http://127.0.0.1:{self.ports[service_name][0]}"

    def urls(self, service_name: str) -> list[str]:
        """One per process of the service."""
        return [f"http://127.0.0.1:{port}" for port in self.ports[service_name]]

    def pids(self) -> dict[str, list[int]]:
        return {name: [p.pid for p in procs] for name, procs in self.processes.items()}

    def alive(self) -> None:
        for name, procs in self.processes.items():
            for p in procs:
                if p.popen is not None and p.popen.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.popen.returncode}: {tail(p.log)}")


def suite_env(base: dict[str, str], namespace: str) -> dict[str, str]:
    run = namespace.removeprefix("bench")
    env = (
        dict(os.environ)
        | base
        | {
            "SUITE_ENVIRONMENT": "development",
            "BROKER_NAMESPACE": namespace,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "GATEWAY_BOOTSTRAP_API_KEY": BENCH_API_KEY,
            # The benchmark's one key makes far more requests than an app's budget allows.
            "GATEWAY_RATE_LIMIT": "10000000/minute",
        }
        | Secrets().ingest_env()
    )
    for name in DATABASES:
        env[f"{name.upper()}_DATABASE"] = f"bench_{run}_{name}"
    return env


@contextlib.asynccontextmanager
async def running_suite(
    base_env: dict[str, str], workdir: Path, *, customers: int = 1
) -> AsyncIterator[Suite]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    suite = Suite(namespace, suite_env(base_env, namespace))
    try:
        for name in ORDER_PATH:
            for n in range(customers if name == "customer" else 1):
                port = free_port()
                process = service(
                    name,
                    env=suite.env | {f"{name.upper()}_PORT": str(port)},
                    log=workdir / f"{namespace}-{name}-{n}.log",
                ).start()
                suite.processes.setdefault(name, []).append(process)
                suite.ports.setdefault(name, []).append(port)
                await asyncio.to_thread(
                    wait_ready, port, process=process.popen, log=process.log, timeout=90
                )
        yield suite
    finally:
        for procs in suite.processes.values():
            for p in procs:
                if p.popen is not None and p.popen.poll() is None:
                    p.signal(signal.SIGTERM)
        for procs in suite.processes.values():
            for p in procs:
                try:
                    await asyncio.to_thread(p.wait, 15)
                except Exception:
                    p.kill_all()
        await delete_namespace(suite.env["AMQP_URL"], suite.topology)
        # Only once every process has stopped (see tests.support.databases).
        await drop_databases(suite.env["MONGODB_URL"], map(suite.database, DATABASES))

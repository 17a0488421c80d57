"""Faults at a large scale: the customer service as processes, a stream of orders, and a fault.

    make bench-faults                                  # 600 orders a scenario, 20 s freeze
    .venv/bin/python -m bench.faults --orders 3000     # larger (hours on the embedded database)

Each scenario gets its own broker namespace and a fresh embedded database (or MONGODB_URL's
server, which then cannot be frozen), and reports sent, acknowledged, stored, lost, duplicated
and parked orders (`tests/support/faults.py`; the small versions run in `make test`,
`tests/e2e/test_faults.py`):

- kill -9 of the customer service at a third and at two thirds of the stream, restarted;
- the database frozen (SIGSTOP) while two thirds of the stream arrive: how soon work resumes
  after the thaw, and how long the backlog takes;
- four customer-service processes at once: the same final state as one.

The JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from pymongo import AsyncMongoClient

from shared.settings import DEV_AMQP_URL
from shared.topology import Topology
from tests.support.broker import delete_namespace
from tests.support.faults import (
    FaultReport,
    final_state,
    measure,
    order_stream,
    send_all,
    wait_stored,
)
from tests.support.processes import ROOT, Process, service, wait_ready
from tools.embedded_mongo import EmbeddedMongo, free_port

RESULTS = Path(__file__).resolve().parent / "results"
ORDERS_EACH = 3


def progress(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


class Run:
    """One scenario's namespace, database and customer-service processes."""

    def __init__(self, amqp_url: str, mongodb_url: str, workdir: Path) -> None:
        self.amqp_url = amqp_url
        self.namespace = f"faults{uuid.uuid4().hex[:8]}"
        self.topology = Topology(self.namespace)
        self.workdir = workdir
        self.env = dict(os.environ) | {
            "AMQP_URL": amqp_url,
            "MONGODB_URL": mongodb_url,
            "BROKER_NAMESPACE": self.namespace,
            "CUSTOMER_DATABASE": f"{self.namespace}_customer",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
        self.db = self.client[f"{self.namespace}_customer"]
        self.processes: list[tuple[Process, int]] = []

    async def start_customer(self) -> tuple[Process, int]:
        port = free_port()
        log = self.workdir / f"{self.namespace}-customer-{len(self.processes)}.log"
        process = service("customer", env=self.env | {"CUSTOMER_PORT": str(port)}, log=log)
        process.start()
        self.processes.append((process, port))
        await asyncio.to_thread(wait_ready, port, process=process.popen, log=log, timeout=120)
        return process, port

    async def restart(self, process: Process, port: int) -> None:
        process.start()
        await asyncio.to_thread(
            wait_ready, port, process=process.popen, log=process.log, timeout=120
        )

    @contextlib.asynccontextmanager
    async def publisher(self) -> AsyncIterator[RabbitBroker]:
        broker = RabbitBroker(
            self.amqp_url, default_channel=Channel(publisher_confirms=True, on_return_raises=True)
        )
        await broker.connect()
        try:
            yield broker
        finally:
            await broker.stop()

    async def close(self) -> None:
        for process, _ in self.processes:
            process.kill_all()
        await delete_namespace(self.amqp_url, self.topology)
        await self.client.close()

    async def report(self, scenario: str, sent: int, acknowledged: int, buyers: int) -> FaultReport:
        return await measure(
            scenario,
            self.db,
            amqp_url=self.amqp_url,
            topology=self.topology,
            sent=sent,
            acknowledged=acknowledged,
            buyers=buyers,
        )


@contextlib.asynccontextmanager
async def database(workdir: Path) -> AsyncIterator[EmbeddedMongo | None]:
    if os.environ.get("MONGODB_URL"):
        yield None
        return
    server = EmbeddedMongo(data_dir=workdir / f"mongo-{uuid.uuid4().hex[:6]}")
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


def mongodb_url(server: EmbeddedMongo | None) -> str:
    return server.url if server is not None else os.environ["MONGODB_URL"]


async def kill_twice(amqp_url: str, workdir: Path, orders: int) -> dict[str, Any]:
    buyers = orders // ORDERS_EACH
    commands = order_stream(buyers, ORDERS_EACH, tag="faults")
    async with database(workdir) as server:
        run = Run(amqp_url, mongodb_url(server), workdir)
        try:
            process, port = await run.start_customer()
            async with run.publisher() as broker:
                acknowledged = await send_all(broker, run.topology, commands)
            for share in (1, 2):
                await wait_stored(run.db, len(commands) * share // 3, timeout=3600)
                progress(f"kill -9 of the customer service ({share} of 2)")
                process.signal(signal.SIGKILL)
                await asyncio.to_thread(process.wait, 10)
                await run.restart(process, port)
            await wait_stored(run.db, len(commands), timeout=3600)
            await asyncio.sleep(2)
            report = await run.report("kill -9 twice", len(commands), acknowledged, buyers)
            state = await final_state(run.db)
        finally:
            await run.close()
    return {"report": report, "state": state}


async def frozen(amqp_url: str, workdir: Path, orders: int, freeze_s: float) -> dict[str, Any]:
    buyers = orders // ORDERS_EACH
    commands = order_stream(buyers, ORDERS_EACH, tag="faults")
    async with database(workdir) as server:
        if server is None:
            return {"skipped": "MONGODB_URL is set: a server this run does not own is not frozen"}
        run = Run(amqp_url, server.url, workdir)
        try:
            await run.start_customer()
            first = len(commands) // 3
            async with run.publisher() as broker:
                acknowledged = await send_all(broker, run.topology, commands[:first])
                await wait_stored(run.db, first, timeout=3600)
                progress(f"database frozen for {freeze_s:.0f} s")
                os.kill(server.pid, signal.SIGSTOP)
                try:
                    acknowledged += await send_all(broker, run.topology, commands[first:])
                    await asyncio.sleep(freeze_s)
                finally:
                    os.kill(server.pid, signal.SIGCONT)
            resumed = await wait_stored(run.db, first + 1, timeout=3600)
            drained = resumed + await wait_stored(run.db, len(commands), timeout=3600)
            report = await run.report(
                f"database frozen {freeze_s:.0f} s", len(commands), acknowledged, buyers
            )
        finally:
            await run.close()
    return {"report": report, "resumed_s": round(resumed, 1), "drained_s": round(drained, 1)}


async def four_instances(amqp_url: str, workdir: Path, orders: int) -> dict[str, Any]:
    buyers = orders // ORDERS_EACH
    commands = order_stream(buyers, ORDERS_EACH, tag="faults")
    async with database(workdir) as server:
        run = Run(amqp_url, mongodb_url(server), workdir)
        try:
            for _ in range(4):
                await run.start_customer()
            async with run.publisher() as broker:
                started = time.monotonic()
                acknowledged = await send_all(broker, run.topology, commands)
            await wait_stored(run.db, len(commands), timeout=3600)
            took = time.monotonic() - started
            await asyncio.sleep(2)
            report = await run.report("4 customer instances", len(commands), acknowledged, buyers)
            state = await final_state(run.db)
        finally:
            await run.close()
    return {"report": report, "state": state, "took_s": round(took, 1)}


async def main(orders: int, freeze_s: float) -> int:
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    results: dict[str, Any] = {"orders": orders, "freeze_s": freeze_s}
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        workdir = Path(tmp)
        progress(f"kill -9 twice, {orders} orders")
        killed = await kill_twice(amqp_url, workdir, orders)
        progress(f"database frozen, {orders} orders")
        freeze = await frozen(amqp_url, workdir, orders, freeze_s)
        progress(f"4 customer instances, {orders} orders")
        four = await four_instances(amqp_url, workdir, orders)
    reports: list[FaultReport] = [killed["report"], four["report"]]
    if "report" in freeze:
        reports.insert(1, freeze["report"])
    same_state = killed["state"] == four["state"]
    for report in reports:
        print(report.line())
    if "resumed_s" in freeze:
        print(
            f"after the thaw: work resumed in {freeze['resumed_s']} s, drained in "
            f"{freeze['drained_s']} s"
        )
    print(f"4 instances end in the same state as 1: {same_state}")
    results |= {
        "reports": [asdict(r) | {"lost": r.lost} for r in reports],
        "frozen": {k: v for k, v in freeze.items() if k != "report"},
        "four_instances_took_s": four["took_s"],
        "same_state_with_4_instances": same_state,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"faults-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    progress(f"results in {path}")
    ok = same_state and all((r.lost, r.duplicated, r.parked) == (0, 0, 0) for r in reports)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--freeze-s", type=float, default=20.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.orders, args.freeze_s)))

"""The whole order path at the speed of the parts it runs on, measured as a user runs it.

    make bench          # full run: 5,000 orders a measurement, 2 rounds
    make bench-scaling  # 400 orders with 1, 2 and 4 customer processes
    make bench-quick    # a smaller run, about a minute and a half

Machines here are noisy and the embedded database is slow, so absolute figures say little. Each
round therefore measures, side by side on the same servers (a fresh embedded database per
round unless MONGODB_URL is given; AMQP_URL names the broker):
  - the ceilings: raw order-shaped database transactions and raw confirmed publish + ack
    through a quorum queue (`bench.ceilings`);
  - the monolith baseline: the same orders through the same ingest mapping and customer-service
    code in one process, straight into the database, no broker (`bench.monolith`);
  - the suite, every service its own process: a seeded realistic stream of Shopify, WooCommerce
    and Amazon orders from the first webhook to the last order stored with its customer, with
    one customer-service process (`--profile scaling`: 1, 2 and 4 of them);
and, once: webhook latency at fixed rates, gateway latency at rest and under write load, what the
access log costs a customer lookup (`bench.access_log`), and the memory of every service.
Figures are medians with their spread over the rounds; the JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bench import cpu, report
from bench.access_log import access_log_cost
from bench.ceilings import broker_ceiling, database_ceiling
from bench.load import spread
from bench.mix import orders
from bench.monolith import monolith
from bench.scenarios import (
    drained,
    end_to_end,
    gateway_latency,
    memory_mb,
    stored_orders,
    webhook_latency,
)
from bench.suite import running_suite
from shared.settings import DEV_AMQP_URL
from tools.embedded_mongo import EmbeddedMongo

PROFILES: dict[str, dict[str, Any]] = {
    "quick": {
        "orders": 250,
        "rounds": 1,
        "customers": [1],
        "rates": [25, 50],
        "duration_s": 1.5,
        "access_log_rounds": 2,
    },
    # At 35 to 50 orders/s on two cores one 5,000-order measurement takes two and a half
    # minutes: two rounds (a median and its spread) and the latencies once fit 15 minutes.
    # More customer processes are measured apart (`--profile scaling`): on two cores they
    # process orders ten times slower, and 5,000 orders took longer than the whole budget.
    "full": {
        "orders": 5000,
        "rounds": 2,
        "customers": [1],
        "rates": [25, 50, 100],
        "duration_s": 5.0,
        "access_log_rounds": 4,
    },
    # 1, 2 and 4 customer processes competing for the work queue, one round each.
    "scaling": {
        "orders": 400,
        "rounds": 1,
        "customers": [1, 2, 4],
        "rates": [25],
        "duration_s": 1.5,
        "access_log_rounds": 2,
    },
}


def progress(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


async def measure(profile: str, settings: dict[str, Any], workdir: Path) -> dict[str, Any]:
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    count = settings["orders"]
    raw: dict[str, Any] = {
        "database": [],
        "broker": [],
        "monolith": [],
        "runs": {},
        "end_to_end": {},
        "share": {},
        "cpu": {},
    }
    once: dict[str, Any] = {}
    for round_no in range(settings["rounds"]):
        async with AsyncExitStack() as stack:
            mongodb_url = os.environ.get("MONGODB_URL")
            database_pid = None
            if not mongodb_url:
                embedded = EmbeddedMongo(data_dir=workdir / f"mongo-{round_no}")
                mongodb_url = embedded.start()
                database_pid = embedded.pid
                stack.callback(embedded.stop)
            base = {"AMQP_URL": amqp_url, "MONGODB_URL": mongodb_url}
            progress(f"round {round_no + 1}: ceilings")
            database = await database_ceiling(mongodb_url, min(count, 2000))
            broker = await broker_ceiling(amqp_url, count)
            progress(f"round {round_no + 1}: the monolith baseline")
            baseline = await monolith(mongodb_url, orders(count, run=uuid.uuid4().hex[:6]))
            raw["monolith"].append(baseline["orders_per_s"])
            raw["database"].append(database)
            raw["broker"].append(broker)
            # Every round measures one process; the scaling (more processes) the first round.
            scaled = settings["customers"] if round_no == 0 else settings["customers"][:1]
            for replicas in scaled:
                progress(f"round {round_no + 1}: end to end, {replicas} customer process(es)")
                run = uuid.uuid4().hex[:6]
                async with running_suite(base, workdir, customers=replicas) as suite:
                    watched = cpu.processes(suite, database_pid=database_pid)
                    before = cpu.seconds(watched)
                    figure = await end_to_end(suite, mongodb_url, orders(count, run=run))
                    # Consent and tasks may still be at work on the last orders.
                    await drained(suite, mongodb_url, figure["orders"])
                    used = cpu.per_order(before, cpu.seconds(watched), figure["orders"])
                    raw["cpu"].setdefault(str(replicas), []).append(used)
                    if round_no == 0 and replicas == settings["customers"][0]:
                        once = await _latencies(
                            suite, mongodb_url, settings, run, figure["orders_per_s"], watched
                        )
                raw["end_to_end"].setdefault(str(replicas), []).append(figure["orders_per_s"])
                raw["runs"].setdefault(str(replicas), []).append(figure["transaction_runs"])
                raw["share"].setdefault(str(replicas), []).append(
                    figure["orders_per_s"] / min(database, broker)
                )
                progress(
                    f"  {figure['orders_per_s']:.1f} orders/s ({figure['customers']} customers)"
                )
    return {
        "profile": profile,
        "orders": count,
        "database": "MONGODB_URL" if os.environ.get("MONGODB_URL") else "SecantusDB (embedded)",
        "machine": report.machine(),
        "settings": settings,
        "figures": {
            "database_ceiling": spread(raw["database"]),
            "broker_ceiling": spread(raw["broker"]),
            "monolith": spread(raw["monolith"]),
            "end_to_end": {k: spread(v) for k, v in raw["end_to_end"].items()},
            "end_to_end_share": {k: spread(v) for k, v in raw["share"].items()},
            "customer_transaction_runs": {k: spread(v) for k, v in raw["runs"].items()},
            # Per round: where the processor time of an order went.
            "cpu_per_order": raw["cpu"],
            **once,
        },
    }


async def _latencies(
    suite: Any,
    mongodb_url: str,
    settings: dict[str, Any],
    run: str,
    orders_per_s: float,
    watched: dict[str, list[int]],
) -> dict[str, Any]:
    idle = memory_mb(suite)
    stored = await stored_orders(suite, mongodb_url)
    progress("webhook latency at fixed rates")
    webhooks = await webhook_latency(suite, settings["rates"], settings["duration_s"], run=run)
    stored += webhooks["orders_accepted"]
    progress("the suite works off the webhooks' orders")
    backlog_s = {"after_webhooks": await drained(suite, mongodb_url, stored)}
    progress("gateway latency at rest and under write load")
    gateway = await gateway_latency(
        suite,
        mongodb_url,
        rate=100,
        duration_s=settings["duration_s"],
        # Orders at half the rate the suite was just measured to process: a write load it
        # keeps up with. Above that rate the queue only grows, and the lookups measure its
        # length (at 50/s, twice what the suite processes here, p50 went to seconds).
        writes_per_s=max(1.0, round(orders_per_s / 2)),
        run=run,
        watched=watched,
    )
    stored += gateway["orders_accepted"]
    progress("the suite works off the orders written beside the gateway")
    backlog_s["after_gateway"] = await drained(suite, mongodb_url, stored)
    progress("lookup latency with and without the access log")
    access_log = await access_log_cost(
        suite,
        mongodb_url,
        duration_s=settings["duration_s"],
        rounds=settings["access_log_rounds"],
    )
    return {
        "webhook_latency": webhooks,
        "gateway_latency": gateway,
        "access_log": access_log,
        "backlog_worked_off_s": backlog_s,
        "memory": {"idle": idle, "under_load": memory_mb(suite)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--orders", type=int, help="orders a measurement")
    parser.add_argument("--rounds", type=int, help="repetitions of every measurement")
    parser.add_argument("--customers", type=int, nargs="+", help="customer processes to try")
    args = parser.parse_args()
    settings = dict(PROFILES[args.profile])
    for key in ("orders", "rounds", "customers"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        result = asyncio.run(measure(args.profile, settings, Path(tmp)))
    report.show(result)
    print(f"\nwritten to {report.write(result, name=args.profile).name} in bench/results/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

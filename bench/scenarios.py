"""What a run measures on a running suite: the order path end to end, webhook and gateway
latencies, and the memory of each service."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from bench import cpu
from bench.load import SHED, Latencies, OpenLoopClient, Outcome, closed_loop, fixed_rate, was_shed
from bench.lookup_parts import lookup_parts
from bench.mix import Delivery, orders
from bench.suite import BENCH_API_KEY, Suite
from shared.contracts.orders import UpsertCustomerFromOrder

# Webhook acceptance must stay under this at the highest rate the report names.
WEBHOOK_P99_TARGET_S = 0.050
CLIENTS = 16
# What a gateway request costs in CPU is measured at a rate the slowest (the customer overview)
# keeps up with on two cores.
CPU_RATE = 5.0
CPU_REQUESTS = 20


# Received adds a message to a consumer's hands, processed or failed takes it out.
_IN_HAND_SIGN = {
    "suite_messages_received_total": 1,
    "suite_messages_processed_total": -1,
    "suite_messages_failed_total": -1,
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Incomplete(Exception):
    """The suite did not store every order it accepted in time."""


async def send(http: OpenLoopClient, delivery: Delivery) -> bool:
    response = await http.post(delivery.path, content=delivery.body, headers=delivery.headers)
    # A timeout or a dropped connection (None) is a failed request, not a crash.
    return response is not None and response.status_code in (200, 202)


async def stored_orders(suite: Suite, mongodb_url: str) -> int:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        return await client[suite.database("customer")]["orders"].estimated_document_count()
    finally:
        await client.close()


async def drained(suite: Suite, mongodb_url: str, orders: int, *, timeout_s: float = 600) -> float:
    """Wait until the suite has stored `orders` orders and no consumer has messages waiting
    or in hand: what an earlier measurement left queued must not fall on the next one ("at
    rest" means at rest). Answers the seconds it took."""
    started = time.perf_counter()
    quiet = 0
    while True:
        suite.alive()
        # Twice in a row: a message between its queue and its handler is in neither count.
        quiet = quiet + 1 if not await _waiting(suite) else 0
        # Counting the orders reads them all (see `orders_processed`): only once all is quiet.
        if quiet >= 2 and await stored_orders(suite, mongodb_url) >= orders:
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout_s:
            raise Incomplete(f"the suite did not work off its queues in {timeout_s} s")
        await asyncio.sleep(0.25)


async def _waiting(suite: Suite) -> int:
    """Messages ready in the work and retry queues of the suite's consumers, and those in
    their hands (a micro-batch holds dozens of unacknowledged messages)."""
    topology = suite.topology
    ready = await _ready(
        suite,
        [
            name
            for consumer in (topology.customer, topology.consent, topology.tasks)
            for name in (consumer.name, consumer.retry_name)
        ],
    )
    return ready + await in_hand(suite, ("customer", "consent", "tasks"))


async def in_hand(suite: Suite, services: tuple[str, ...]) -> int:
    """Messages the services' consumers took and have not finished, from their metrics: each
    message taken is counted received, and processed or failed once its handler is done."""
    async with httpx.AsyncClient(timeout=10) as http:
        return round(await _summed(suite, services, _IN_HAND_SIGN, http))


async def transaction_runs(suite: Suite, http: httpx.AsyncClient) -> tuple[float, float]:
    """The customer service's transactions so far, and the runs of their bodies."""
    ended = await _summed(suite, ("customer",), {"suite_transactions_total": 1}, http)
    ran = await _summed(suite, ("customer",), {"suite_transaction_attempts_total": 1}, http)
    return ended, ran


async def orders_processed(suite: Suite, http: httpx.AsyncClient) -> int:
    """Order messages the customer service's processes handled, from their metrics. Counting
    the stored orders instead reads the whole collection on SecantusDB (42 ms at 5,000 orders):
    asked every 50 ms, the benchmark took most of the database's processor for itself."""
    return round(
        await _summed(
            suite,
            ("customer",),
            {"suite_messages_processed_total": 1},
            http,
            type=UpsertCustomerFromOrder.model_fields["type"].default,
        )
    )


async def _summed(
    suite: Suite,
    services: tuple[str, ...],
    weights: dict[str, int],
    http: httpx.AsyncClient,
    **labels: str,
) -> float:
    """The samples of the named metrics across every process of the services, each times its
    weight, those with all the given labels."""
    total = 0.0
    # Only the series summed: a whole scrape costs the polled service 2.5 ms and the
    # benchmark 5 ms to parse, 20 times a second while the orders it waits for run.
    only = {"name[]": list(weights)}
    for name in services:
        for url in suite.urls(name):
            exposition = (await http.get(f"{url}/metrics", params=only)).text
            for family in text_string_to_metric_families(exposition):
                for sample in family.samples:
                    if all(sample.labels.get(k) == v for k, v in labels.items()):
                        total += weights.get(sample.name, 0) * sample.value
    return total


async def _queries_answered(suite: Suite) -> None:
    """Wait until no query waits in a service's request queue, and a moment more for those a
    service has taken but not answered yet."""
    services = ("customer", "consent", "tasks")
    names = [suite.topology.rpc_queue(s).name for s in services]
    for _ in range(2400):  # at most ten minutes
        if not await _ready(suite, names):
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)


async def _ready(suite: Suite, queues: list[str]) -> int:
    connection = await aio_pika.connect(suite.env["AMQP_URL"])
    async with connection:
        channel = await connection.channel()
        ready = 0
        for name in queues:
            queue = await channel.declare_queue(name, passive=True)
            ready += int(queue.declaration_result.message_count or 0)
        return ready


async def console_session(gateway_url: str) -> str:
    """The cookies of a console session opened with the benchmark's key, as a Cookie header."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as browser:
        form = await browser.get("/console/sign-in")
        token = _CSRF.search(form.text)
        if token is None:
            raise Incomplete("the console's sign-in page has no form")
        signed_in = await browser.post(
            "/console/sign-in", data={"csrf_token": token.group(1), "api_key": BENCH_API_KEY}
        )
        if signed_in.status_code != 303:
            raise Incomplete(f"console sign-in answered {signed_in.status_code}")
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


async def end_to_end(
    suite: Suite, mongodb_url: str, deliveries: list[Delivery], *, timeout_s: float = 900
) -> dict[str, Any]:
    """Orders per second from the first webhook sent to the last order stored with its
    customer, all deliveries sent by 16 clients as fast as ingest takes them."""
    expected = len({d.order_key for d in deliveries})
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    orders_stored = client[suite.database("customer")]["orders"]
    refused = 0
    async with OpenLoopClient(suite.url("ingest")) as http:

        async def deliver(i: int) -> None:
            nonlocal refused
            if not await send(http, deliveries[i]):
                refused += 1

        async with httpx.AsyncClient(timeout=10) as scrape:
            runs_before = await transaction_runs(suite, scrape)
        started = time.perf_counter()
        accepted_rate = await closed_loop(len(deliveries), deliver, concurrency=CLIENTS)
    try:
        deadline = started + timeout_s
        # One client for the polls: a new one costs milliseconds (its TLS context) each time.
        async with httpx.AsyncClient(timeout=10) as scrape:
            # Every delivery is one order message; once each is handled, every order is stored.
            while (handled := await orders_processed(suite, scrape)) < len(deliveries):
                suite.alive()
                if time.perf_counter() > deadline:
                    raise Incomplete(f"{handled} of {len(deliveries)} handled after {timeout_s} s")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            ended, ran = await transaction_runs(suite, scrape)
            ended, ran = ended - runs_before[0], ran - runs_before[1]
        # ... which the database must confirm: an order handled and not stored is one lost.
        stored = await orders_stored.count_documents({})
        if stored != expected:
            raise Incomplete(f"{stored} orders stored of the {expected} handled")
        customers = await client[suite.database("customer")]["customers"].count_documents({})
    finally:
        await client.close()
    if refused:
        raise Incomplete(f"ingest refused {refused} of {len(deliveries)} deliveries")
    return {
        "orders": expected,
        "customers": customers,
        "seconds": elapsed,
        "orders_per_s": expected / elapsed,
        "accepted_per_s": accepted_rate,
        # How many times the customer service ran each transaction's body: above 1 when
        # batches conflict (one buyer in two batches at once, across processes) and run again.
        "transaction_runs": ran / ended if ended else 1.0,
    }


async def webhook_latency(
    suite: Suite, rates: list[float], duration_s: float, *, run: str
) -> dict[str, Any]:
    """Latency of webhook acceptance at fixed rates, and the highest rate whose p99 stays
    under the target."""
    by_rate: dict[str, Any] = {}
    best = 0.0
    missed = 0
    async with OpenLoopClient(suite.url("ingest")) as http:
        for n, rate in enumerate(rates):
            stream = orders(int(rate * duration_s) + 1, seed=100 + n, run=f"{run}l{n}")

            async def request(i: int, stream: list[Delivery] = stream) -> bool:
                return await send(http, stream[i])

            latencies = await fixed_rate(rate, duration_s, request)
            by_rate[str(rate)] = latencies.summary_ms()
            if (
                latencies.failed == latencies.shed == 0
                and latencies.percentile(99) < WEBHOOK_P99_TARGET_S
            ):
                best, missed = max(best, rate), 0
            else:
                missed += 1
                if missed == 2:
                    break  # past the knee: higher rates only queue up
    return {
        "by_rate": by_rate,
        "highest_rate_p99_under_50ms": best,
        "orders_accepted": sum(r["requests"] - r["failed"] - r["shed"] for r in by_rate.values()),
    }


async def customers_to_look_up(suite: Suite, mongodb_url: str) -> list[dict[str, Any]]:
    """Up to 500 active customers the end-to-end measurement stored: their ids and last names."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        found = await (
            client[suite.database("customer")]["customers"]
            .find({"status": "active"}, {"_id": 1, "last_name": 1})
            .limit(500)
            .to_list()
        )
    finally:
        await client.close()
    if not found:
        raise Incomplete("no customers to look up: run the end-to-end measurement first")
    return found


async def gateway_latency(
    suite: Suite,
    mongodb_url: str,
    *,
    rate: float,
    duration_s: float,
    writes_per_s: float,
    run: str,
    watched: dict[str, list[int]],
) -> dict[str, Any]:
    """Lookup, search and overview latencies at `rate` requests a second, at rest and while
    orders stream in at `writes_per_s`; and what one of each costs in CPU across the
    `watched` processes, at a rate the machine keeps up with."""
    found = await customers_to_look_up(suite, mongodb_url)
    rng = random.Random(11)
    ids = [str(c["_id"]) for c in found]
    names = [str(c.get("last_name") or "A")[:3] for c in found]
    console = {"Cookie": await console_session(suite.url("gateway"))}
    # What each measured request asks for, and with which credentials: the customer overview
    # is the console's page of a customer (master data, consents, tasks, timeline), which a
    # person opens with a console session.
    requests: dict[str, tuple[Any, dict[str, str]]] = {
        "lookup": (lambda: f"/v1/customers/{rng.choice(ids)}", {"X-API-Key": BENCH_API_KEY}),
        "search": (
            lambda: f"/v1/customers?name={rng.choice(names)}&limit=20",
            {"X-API-Key": BENCH_API_KEY},
        ),
        "overview": (lambda: f"/console/customers/{rng.choice(ids)}", console),
    }
    results: dict[str, Any] = {
        "at_rest": {},
        "under_write_load": {},
        "writes_per_s": writes_per_s,
        "orders_accepted": 0,
        "cpu_per_request": {},
    }
    idle = await _idle(suite, mongodb_url, watched)
    async with OpenLoopClient(suite.url("gateway")) as http:
        for name, (path, headers) in requests.items():

            async def request(_: int, path: Any = path, headers: Any = headers) -> Outcome:
                return await answered(http, path(), headers)

            results["cpu_per_request"][name] = await _cpu_per_request(
                suite, mongodb_url, watched, request, idle
            )
            for load in ("at_rest", "under_write_load"):
                # Queries of the phase before that the services still hold must not fall
                # on this one (an overloaded search leaves seconds of them).
                await _queries_answered(suite)
                if load == "at_rest":
                    latencies = await fixed_rate(rate, duration_s, request)
                else:
                    latencies, writes = await _while_writing(
                        suite,
                        writes_per_s,
                        duration_s,
                        fixed_rate(rate, duration_s, request),
                        run=f"{run}{name}",
                    )
                    results["orders_accepted"] += writes.succeeded
                results[load][name] = latencies.summary_ms()
                if name == "lookup" and load == "at_rest":
                    # The ceiling of a lookup: its parts done raw, at the same rate.
                    parts = await lookup_parts(
                        suite.env["AMQP_URL"],
                        mongodb_url,
                        suite.database("customer"),
                        ids,
                        rate=rate,
                        duration_s=duration_s,
                    )
                    results[load]["lookup_parts"] = parts.summary_ms()
    return results


async def _at_rest(suite: Suite, mongodb_url: str) -> None:
    """No query waits, and no consumer has a message waiting or in hand: the orders written
    beside the phase before (up to 460 in a full run) must not fall on a CPU measurement
    (seen: a customer page's database CPU went from 11 to 56 ms)."""
    await _queries_answered(suite)
    await drained(suite, mongodb_url, 0)


async def _cpu_per_request(
    suite: Suite,
    mongodb_url: str,
    watched: dict[str, list[int]],
    request: Callable[[int], Awaitable[Outcome]],
    idle: dict[str, float],
) -> dict[str, Any]:
    """CPU per request answered, read from /proc around `CPU_REQUESTS` requests at `CPU_RATE`
    a second and the work they left, less what the processes spend idle (`_idle`): unlike a
    latency at 100/s, hardly moved by how busy the machine is with something else."""
    await _at_rest(suite, mongodb_url)
    before, started = cpu.seconds(watched), time.perf_counter()
    latencies = await fixed_rate(CPU_RATE, CPU_REQUESTS / CPU_RATE, request)
    await _queries_answered(suite)
    seconds = time.perf_counter() - started
    return cpu.per_request(
        before, cpu.seconds(watched), latencies.succeeded, idle=idle, seconds=seconds
    )


async def _idle(suite: Suite, mongodb_url: str, watched: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds a second each process spends with nothing asked of it (timers, heartbeats,
    the broker's own work), over as long as a measurement of `_cpu_per_request`."""
    await _at_rest(suite, mongodb_url)
    before, started = cpu.seconds(watched), time.perf_counter()
    await asyncio.sleep(CPU_REQUESTS / CPU_RATE)
    return cpu.per_second(before, cpu.seconds(watched), time.perf_counter() - started)


async def lookups(suite: Suite, ids: list[str], *, rate: float, duration_s: float) -> Latencies:
    """`GET /v1/customers/{id}` with the benchmark's key at `rate` a second."""
    rng = random.Random(7)
    headers = {"X-API-Key": BENCH_API_KEY}
    async with OpenLoopClient(suite.url("gateway"), headers=headers) as http:

        async def lookup(_: int) -> Outcome:
            return await answered(http, f"/v1/customers/{rng.choice(ids)}")

        return await fixed_rate(rate, duration_s, lookup)


async def answered(
    http: OpenLoopClient, path: str, headers: dict[str, str] | None = None
) -> Outcome:
    """Whether a GET was answered 200, or SHED if the gateway refused it as busy; a timeout or
    a dropped connection is a failed request."""
    response = await http.get(path, headers=headers)
    if response is None:
        return False
    return SHED if was_shed(response) else response.status_code == 200


async def _while_writing(
    suite: Suite, writes_per_s: float, duration_s: float, measured: Any, *, run: str
) -> tuple[Latencies, Latencies]:
    """What `measured` measured while orders were sent at `writes_per_s`, and the sends'."""
    stream = orders(int(writes_per_s * duration_s) + 1, seed=300, run=run)
    async with OpenLoopClient(suite.url("ingest")) as http:

        async def write(i: int) -> bool:
            return await send(http, stream[i])

        writing = asyncio.create_task(fixed_rate(writes_per_s, duration_s, write))
        result: Latencies = await measured
        return result, await writing


def memory_mb(suite: Suite) -> dict[str, dict[str, float]]:
    """Resident memory of each service's processes now, and their peak since they started."""
    found: dict[str, dict[str, float]] = {}
    for name, pids in suite.pids().items():
        now = peak = 0.0
        for pid in pids:
            status = _status(pid)
            now = max(now, status.get("VmRSS", 0.0))
            peak = max(peak, status.get("VmHWM", 0.0))
        found[name] = {"rss_mb": now, "peak_mb": peak}
    return found


def _status(pid: int) -> dict[str, float]:
    values: dict[str, float] = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values

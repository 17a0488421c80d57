"""What the access log costs a customer lookup: `GET /v1/customers/{id}` read by a key whose
role reads personal data (every read writes an access-log entry, durably, before the answer)
side by side with a key of the `analyst` role, which reads the same customers without personal
data and so records nothing.

The log cannot be turned off (every read of personal data must be on record), so the role is
what varies: both keys are made through the running gateway's `POST /v1/api-keys`, and they
take turns in interleaved rounds (ABBA) on the same suite so that drift of a noisy machine
falls on both alike, after a round of both that is not counted (what earlier measurements
left queued would fall on the first). The run checks what it compares: one entry per
supporter read, none per analyst read, counted in the gateway's database before and after.

The two answers differ in more than the log (the supporter's carries the personal data), so
the same rounds also time the log's write alone: an entry of the same shape inserted with the
same write concern (majority, journaled) into a scratch collection of the gateway's database.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.write_concern import WriteConcern

from bench.load import Latencies, fixed_rate
from bench.scenarios import customers_to_look_up
from bench.suite import BENCH_API_KEY, Suite

# The role whose reads are logged, and the one that reads the same customers without personal
# data (issue 9's seeded roles).
LOGGED_ROLE = "supporter"
UNLOGGED_ROLE = "analyst"
# The gateway's collection of the access log (services/gateway/main.py).
COLLECTION = "access_log"
# Lookups a second: well under what a loaded two-core machine serves (gateway_latency's 100/s
# queues for seconds there), so the figures are the cost of a read, not the length of a queue.
RATE = 10.0


class Unrecorded(Exception):
    """The access log did not hold what the compared reads should have left on it."""


async def access_log_cost(
    suite: Suite, mongodb_url: str, *, duration_s: float, rounds: int, rate: float = RATE
) -> dict[str, Any]:
    """Lookup latency p50/p95/p99 with the access log (supporter) and without (analyst), at
    `rate` lookups a second for `duration_s` per key and round; their ratios and differences."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        ids = [str(c["_id"]) for c in await customers_to_look_up(suite, mongodb_url)]
        log = client[suite.database("gateway")][COLLECTION]
        async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=30) as http:
            keys = {role: await _key(http, role) for role in (LOGGED_ROLE, UNLOGGED_ROLE)}
            before = {
                role: await log.count_documents({"actor.id": k}) for role, (k, _) in keys.items()
            }
            seconds: dict[str, list[float]] = {role: [] for role in keys}
            answered = {role: 0 for role in keys}
            writes: list[float] = []
            scratch = client[suite.database("gateway")][f"bench_{COLLECTION}"].with_options(
                write_concern=WriteConcern(w="majority", j=True)
            )
            rng = random.Random(17)
            for n in range(-1, rounds):  # round -1 warms up and is not counted
                order = (LOGGED_ROLE, UNLOGGED_ROLE) if n % 2 else (UNLOGGED_ROLE, LOGGED_ROLE)
                for role in order:
                    latencies = await _lookups(http, keys[role][1], ids, rng, rate, duration_s)
                    if latencies.failed:
                        raise Unrecorded(f"{latencies.failed} {role} lookups did not answer 200")
                    answered[role] += len(latencies.seconds)
                    if n >= 0:
                        seconds[role].extend(latencies.seconds)
                if n >= 0:
                    writes.extend((await _writes(scratch, ids, rate, duration_s)).seconds)
            recorded = {
                role: await log.count_documents({"actor.id": k}) - before[role]
                for role, (k, _) in keys.items()
            }
    finally:
        await client.close()
    if recorded[UNLOGGED_ROLE] != 0:
        raise Unrecorded(f"{recorded[UNLOGGED_ROLE]} access-log entries of {UNLOGGED_ROLE} reads")
    if recorded[LOGGED_ROLE] != answered[LOGGED_ROLE]:
        raise Unrecorded(
            f"{recorded[LOGGED_ROLE]} access-log entries for {answered[LOGGED_ROLE]} "
            f"{LOGGED_ROLE} reads"
        )
    logged = Latencies(tuple(seconds[LOGGED_ROLE])).summary_ms()
    unlogged = Latencies(tuple(seconds[UNLOGGED_ROLE])).summary_ms()
    percentiles = ("p50_ms", "p95_ms", "p99_ms")
    return {
        "rate": rate,
        "rounds": rounds,
        # `recorded` and `reads` count the warm-up round too; the latencies do not.
        **{
            name: summary | {"role": role, "recorded": recorded[role], "reads": answered[role]}
            for name, role, summary in (
                ("with_log", LOGGED_ROLE, logged),
                ("without_log", UNLOGGED_ROLE, unlogged),
            )
        },
        "ratio": {p: logged[p] / unlogged[p] for p in percentiles},
        "difference_ms": {p: logged[p] - unlogged[p] for p in percentiles},
        "write_alone": Latencies(tuple(writes)).summary_ms(),
    }


async def _key(http: httpx.AsyncClient, role: str) -> tuple[str, str]:
    """A new key of `role`, made by the bench's admin: its id (the actor the log names) and
    its secret."""
    response = await http.post(
        "/v1/api-keys",
        json={"name": f"bench {role} {uuid.uuid4().hex[:6]}", "roles": [role]},
        headers={"X-API-Key": BENCH_API_KEY},
    )
    response.raise_for_status()
    made = response.json()
    return str(made["id"]), str(made["key"])


async def _lookups(
    http: httpx.AsyncClient,
    key: str,
    ids: list[str],
    rng: random.Random,
    rate: float,
    duration_s: float,
) -> Latencies:
    headers = {"X-API-Key": key}

    async def lookup(_: int) -> bool:
        response = await http.get(f"/v1/customers/{rng.choice(ids)}", headers=headers)
        return response.status_code == 200

    return await fixed_rate(rate, duration_s, lookup)


async def _writes(
    scratch: AsyncCollection[dict[str, Any]], ids: list[str], rate: float, duration_s: float
) -> Latencies:
    """An access-log entry's write by itself, shaped as the gateway writes one."""

    async def write(i: int) -> bool:
        entry = {
            "_id": ObjectId(),
            "at": datetime.now(UTC),
            "customer_id": ids[i % len(ids)],
            "groups": ["addresses", "bank", "contact", "custom_fields", "identity"],
            "actor": {"type": "api", "id": "0123456789abcdef"},
            "request_id": uuid.uuid4().hex,
            "purpose": None,
            "client": "127.0.0.1",
            "route": "GET /v1/customers/{customer_id}",
        }
        await scratch.insert_many([entry], ordered=False)
        return True

    return await fixed_rate(rate, duration_s, write)

"""What the access log costs a lookup: the same `GET /v1/customers/{id}` by the same key,
with the log written (durably, before the answer) and with a store that writes nothing."""

from __future__ import annotations

import statistics
import time

from services.gateway.domain.access_log import Access
from tests.conftest import Suite
from tests.integration.gateway.conftest import as_key, new_key

LOOKUPS = 150


class NoLog:
    async def add(self, entries: list[Access]) -> None:
        return None


async def test_the_access_log_adds_little_to_a_lookup(customer_suite: Suite) -> None:
    suite = customer_suite
    app = suite.apps["gateway"]
    created = await suite.gateway.post(
        "/v1/customers", json={"last_name": "Kraus", "emails": [{"address": "k@example.com"}]}
    )
    customer_id = created.json()["id"]
    _, key = await new_key(suite, "supporter")
    logged = app.state.access_log
    timings: dict[str, list[float]] = {"with": [], "without": []}
    async with as_key(suite, key) as supporter:
        for _ in range(20):  # warm up both paths
            await supporter.get(f"/v1/customers/{customer_id}")
        for n in range(2 * LOOKUPS):
            # Alternate, so that both see the same database and broker at the same time.
            mode = "with" if n % 2 else "without"
            app.state.access_log = logged if mode == "with" else NoLog()
            started = time.perf_counter()
            answer = await supporter.get(f"/v1/customers/{customer_id}")
            timings[mode].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
    app.state.access_log = logged
    p50 = {m: statistics.median(t) for m, t in timings.items()}
    p95 = {m: statistics.quantiles(t, n=20)[-1] for m, t in timings.items()}
    print(
        f"\nlookup p50/p95 ms: with access log {p50['with']:.1f}/{p95['with']:.1f}, "
        f"without {p50['without']:.1f}/{p95['without']:.1f}"
    )
    # One journaled insert per read: a share of the lookup, not a multiple of it. A ratio of
    # the two measured side by side, never a time: this machine's speed varies by the minute.
    assert p50["with"] < 2 * p50["without"]

"""The benchmark counts a request the gateway shed (503 `busy`) apart from one that failed, in
its figures, its JSON and its printed report; and what a request costs in CPU."""

from __future__ import annotations

import os

import httpx
import pytest
from starlette.responses import HTMLResponse

from bench import cpu
from bench.load import SHED, Latencies, Outcome, fixed_rate, was_shed
from bench.report import _failed
from services.gateway.entrypoints.console.sign_in import shed
from shared.load_shedding import BUSY
from shared.problems import unavailable


def test_a_503_busy_is_shed_and_other_refusals_are_not() -> None:
    busy = BUSY.problem.model_dump(mode="json", exclude_none=True)
    away = unavailable("The customer service is unavailable", "no answer").problem
    assert was_shed(httpx.Response(503, json=busy, headers=BUSY.headers))
    # The console answers a page, which names the problem too.
    page = shed({"type": "http", "path": "/console/customers"})
    assert isinstance(page, HTMLResponse)
    assert was_shed(httpx.Response(503, content=bytes(page.body), headers=BUSY.headers))
    assert not was_shed(httpx.Response(503, json=away.model_dump(mode="json")))
    assert not was_shed(httpx.Response(503, text="Service Unavailable"))
    assert not was_shed(httpx.Response(429, json=busy | {"status": 429}))
    assert not was_shed(httpx.Response(200, json={}))


async def test_fixed_rate_counts_the_shed_apart_from_the_failed() -> None:
    outcomes: list[Outcome] = [True, False, SHED, SHED, True, True]

    async def request(i: int) -> Outcome:
        return outcomes[i]

    latencies = await fixed_rate(600, 0.01, request)
    assert (latencies.succeeded, latencies.failed, latencies.shed) == (3, 1, 2)


def test_the_summary_and_the_report_name_the_shed() -> None:
    joined = Latencies.joined([Latencies((0.01,) * 4, failed=20, shed=5), Latencies((), 1, 10)])
    summary = joined.summary_ms()
    assert (summary["requests"], summary["failed"], summary["shed"]) == (40, 21, 15)
    assert _failed(summary) == "  (21 failed, 15 shed)"
    assert _failed(Latencies((0.01,), shed=2).summary_ms()) == "  (2 shed)"
    assert _failed(Latencies((0.01,), failed=2).summary_ms()) == "  (2 failed)"
    assert _failed(Latencies((0.01,)).summary_ms()) == ""


def test_cpu_per_request_divides_each_process_by_the_requests_answered() -> None:
    before = {"gateway": 1.0, "customer": 2.0}
    after = {"gateway": 1.5, "customer": 2.25}
    used = cpu.per_request(before, after, requests=50)
    assert used["by_process_ms"] == {"gateway": 10.0, "customer": 5.0}
    assert used["total_ms"] == 15.0
    assert used["cpu_bound_requests_per_s"] == pytest.approx((os.cpu_count() or 1) * 1000 / 15)
    # No request answered: the CPU is not spread over none.
    assert cpu.per_request(before, after, requests=0)["total_ms"] == 750.0
    # What a process spends idle over the same time is not the requests'.
    idle = cpu.per_second({"gateway": 0.0, "customer": 0.0}, {"gateway": 0.2, "customer": 0.0}, 2)
    assert idle == {"gateway": 0.1, "customer": 0.0}
    less_idle = cpu.per_request(before, after, requests=50, idle=idle, seconds=3.0)
    assert less_idle["by_process_ms"] == pytest.approx({"gateway": 4.0, "customer": 5.0})

"""The benchmark's access-log figure is produced, and what it compares is what it says: every
supporter lookup left one entry in the access log, the analyst's lookups of the same customers
none. Only the records are checked here; the latencies are the bench's to report, not a test's
to assert (docs/performance.md)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench.access_log import LOGGED_ROLE, UNLOGGED_ROLE, access_log_cost
from bench.mix import orders
from bench.scenarios import end_to_end
from bench.suite import running_suite
from tests.support.infrastructure import Infrastructure

pytestmark = pytest.mark.e2e


async def test_the_access_log_figure_compares_logged_reads_with_reads_left_off_record(
    infra: Infrastructure, tmp_path: Path
) -> None:
    base = {"AMQP_URL": infra.amqp_url, "MONGODB_URL": infra.mongodb_url}
    async with running_suite(base, tmp_path) as suite:
        await end_to_end(
            suite, infra.mongodb_url, orders(30, seed=5, run=uuid.uuid4().hex[:6]), timeout_s=120
        )
        figure = await access_log_cost(suite, infra.mongodb_url, rate=20, duration_s=0.5, rounds=2)

    with_log, without = figure["with_log"], figure["without_log"]
    assert (with_log["role"], without["role"]) == (LOGGED_ROLE, UNLOGGED_ROLE)
    # Two measured rounds and the warm-up, 10 lookups each per key.
    assert with_log["requests"] == without["requests"] == 20
    assert with_log["reads"] == without["reads"] == 30
    assert with_log["recorded"] == 30
    assert without["recorded"] == 0
    percentiles = {"p50_ms", "p95_ms", "p99_ms"}
    assert set(figure["ratio"]) == set(figure["difference_ms"]) == percentiles
    assert figure["write_alone"]["requests"] == 20

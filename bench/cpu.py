"""Where an order's processor time goes: the CPU seconds each process of a run spends (every
service, the database and broker when they run on this machine, and the load generator
itself), read from /proc before and after a measurement. On a machine of two cores, the sum
per order says how many orders a second the machine can process at most, whichever part is
slow; the largest share says where work saves the most."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.suite import Suite

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def processes(suite: Suite, *, database_pid: int | None) -> dict[str, list[int]]:
    watched = dict(suite.pids())
    if database_pid is not None:
        watched["database"] = [database_pid]
    broker = _local_broker()
    if broker is not None:
        watched["broker"] = [broker]
    watched["load generator"] = [os.getpid()]
    return watched


def seconds(watched: dict[str, list[int]]) -> dict[str, float]:
    return {name: sum(_cpu(pid) for pid in pids) for name, pids in watched.items()}


def per_order(before: dict[str, float], after: dict[str, float], orders: int) -> dict[str, Any]:
    """CPU milliseconds per order of each process, their sum, and the orders a second this
    machine's cores would process if nothing but the CPU limited them."""
    ms, total, most = _each(_spent(before, after), orders)
    return {
        "by_process_ms": ms,
        "total_ms": total,
        "cores": os.cpu_count() or 1,
        "cpu_bound_orders_per_s": most,
    }


def per_second(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    """CPU seconds each process spent a second over a span (idle, say)."""
    return {name: spent / seconds for name, spent in _spent(before, after).items()}


def per_request(
    before: dict[str, float],
    after: dict[str, float],
    requests: int,
    *,
    idle: dict[str, float] | None = None,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """The same for requests answered, less what each process spends `idle` (`per_second`)
    over the `seconds` they took: what one costs across the machine, whatever the rate."""
    spent = {
        name: max(0.0, used - (idle or {}).get(name, 0.0) * seconds)
        for name, used in _spent(before, after).items()
    }
    ms, total, most = _each(spent, requests)
    return {"by_process_ms": ms, "total_ms": total, "cpu_bound_requests_per_s": most}


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in before}


def _each(spent: dict[str, float], count: int) -> tuple[dict[str, float], float, float]:
    ms = {name: seconds * 1000 / max(count, 1) for name, seconds in spent.items()}
    total = sum(ms.values())
    return ms, total, (os.cpu_count() or 1) * 1000 / total if total else float("nan")


def _cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _local_broker() -> int | None:
    """RabbitMQ's Erlang VM on this machine, if there is one."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"beam.smp" in command and b"rabbit" in command:
            return int(entry.name)
    return None

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
    ms = {name: (after[name] - before[name]) * 1000 / orders for name in before}
    total = sum(ms.values())
    cores = os.cpu_count() or 1
    return {
        "by_process_ms": ms,
        "total_ms": total,
        "cores": cores,
        "cpu_bound_orders_per_s": cores * 1000 / total if total else float("nan"),
    }


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

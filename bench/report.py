"""The report of a run: printed for a person, written as JSON for the record and for tests."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.machine()}",
    }


def write(result: dict[str, Any], *, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = RESULTS / f"{stamp}-{name}.json"
    text = json.dumps(result, indent=2, sort_keys=True)
    path.write_text(text)
    (RESULTS / f"latest-{name}.json").write_text(text)
    return path


def _spread(figure: dict[str, float], unit: str, digits: int = 1) -> str:
    text = f"{figure['median']:.{digits}f} {unit}"
    if figure["runs"] > 1:
        text += f" ({figure['min']:.{digits}f}-{figure['max']:.{digits}f}, {figure['runs']} runs)"
    return text


def show(result: dict[str, Any]) -> None:
    figures = result["figures"]
    print(
        f"\n{result['profile']} run, {result['orders']} orders a measurement, database: "
        f"{result['database']}, {result['machine']['cpus']} CPUs"
    )
    print("ceilings")
    print(
        f"  database: order-shaped transactions   {_spread(figures['database_ceiling'], 'txn/s')}"
    )
    print(f"  broker: confirmed publish + ack       {_spread(figures['broker_ceiling'], 'msg/s')}")
    if "monolith" in figures:
        print(f"  monolith: orders straight to the db   {_spread(figures['monolith'], 'orders/s')}")
    print("end to end: webhook sent -> order stored with its customer")
    for replicas, figure in figures["end_to_end"].items():
        share = figures["end_to_end_share"][replicas]
        of_monolith = (
            f", {figure['median'] / figures['monolith']['median']:.0%} of the monolith"
            if "monolith" in figures
            else ""
        )
        print(
            f"  {replicas} customer process(es): {_spread(figure, 'orders/s')}"
            f" = {share['median']:.0%} of the lower ceiling{of_monolith}"
        )
    runs = figures.get("customer_transaction_runs", {})
    if runs:
        print(
            "  customer-service transactions ran, each: "
            + ", ".join(f"{v['median']:.2f} times ({k} process(es))" for k, v in runs.items())
        )
    show_cpu(figures.get("cpu_per_order", {}))
    latency = figures.get("webhook_latency")
    if latency:
        print("webhook acceptance latency (p50 / p95 / p99 ms)")
        for rate, s in latency["by_rate"].items():
            print(
                f"  {float(rate):6.0f}/s  {s['p50_ms']:6.1f} {s['p95_ms']:6.1f} {s['p99_ms']:6.1f}"
                f"{_failed(s)}"
            )
        print(f"  highest rate with p99 under 50 ms: {latency['highest_rate_p99_under_50ms']}/s")
    gateway = figures.get("gateway_latency")
    if gateway:
        show_gateway(gateway)
    backlog = figures.get("backlog_worked_off_s")
    if backlog:
        print(
            "orders left queued, worked off before the next measurement: "
            + ", ".join(f"{when.replace('_', ' ')} {s:.1f} s" for when, s in backlog.items())
        )
    access_log = figures.get("access_log")
    if access_log:
        show_access_log(access_log)
    memory = figures.get("memory")
    if memory:
        print("memory per service (MB: idle / peak under load)")
        for name, m in memory["under_load"].items():
            print(f"  {name:<9} {memory['idle'][name]['rss_mb']:6.1f} / {m['peak_mb']:6.1f}")


def show_gateway(gateway: dict[str, Any]) -> None:
    """Latencies at 100 requests/s, and what one request of each kind costs in CPU."""
    print(
        "gateway latency at 100 requests/s (p50 / p99 ms), under a write load of "
        f"{gateway.get('writes_per_s', 50):.0f} orders/s"
    )
    for load in ("at_rest", "under_write_load"):
        for kind, s in gateway[load].items():
            print(f"  {load:<17} {kind:<12} {s['p50_ms']:6.1f} {s['p99_ms']:6.1f}{_failed(s)}")
    costs = gateway.get("cpu_per_request", {})
    if costs:
        print("CPU per gateway request, all processes less their idle (ms, at 5 requests/s)")
        for kind, used in costs.items():
            ranked = sorted(used["by_process_ms"].items(), key=lambda kv: -kv[1])
            print(
                f"  {kind:<9} {used['total_ms']:6.1f} = at most "
                f"{used['cpu_bound_requests_per_s']:.0f}/s: "
                + ", ".join(f"{name} {ms:.1f}" for name, ms in ranked[:5])
            )


def show_cpu(by_replicas: dict[str, list[dict[str, Any]]]) -> None:
    """Where the processor time of an order went, in the first round of each measurement."""
    for replicas, rounds in by_replicas.items():
        used = rounds[0]
        print(
            f"  CPU per order, {replicas} customer process(es): {used['total_ms']:.1f} ms = at "
            f"most {used['cpu_bound_orders_per_s']:.1f} orders/s on {used['cores']} cores"
        )
        ranked = sorted(used["by_process_ms"].items(), key=lambda kv: -kv[1])
        print("    " + ", ".join(f"{name} {ms:.1f}" for name, ms in ranked))


def _failed(summary: dict[str, Any]) -> str:
    """The requests not answered: those that failed, and those the server shed as busy."""
    counts = [f"{summary[k]} {k}" for k in ("failed", "shed") if summary.get(k)]
    return f"  ({', '.join(counts)})" if counts else ""


def show_access_log(figure: dict[str, Any]) -> None:
    with_log, without = figure["with_log"], figure["without_log"]
    print(
        f"customer lookup with / without the access log at {figure['rate']:.0f}/s, "
        f"{figure['rounds']} interleaved rounds (ms: p50 / p95 / p99)"
    )
    for name, s in (
        (f"with ({with_log['role']})", with_log),
        (f"without ({without['role']})", without),
    ):
        print(
            f"  {name:<21} {s['p50_ms']:6.1f} {s['p95_ms']:6.1f} {s['p99_ms']:6.1f}"
            f"  ({s['recorded']} entries for {s['reads']} reads)"
        )
    for name, key, form in (
        ("ratio with/without", "ratio", "6.2f"),
        ("difference", "difference_ms", "+6.1f"),
    ):
        values = " ".join(f"{figure[key][p]:{form}}" for p in ("p50_ms", "p95_ms", "p99_ms"))
        print(f"  {name:<21} {values}")
    w = figure["write_alone"]
    print(f"  the entry's write alone {w['p50_ms']:6.1f} {w['p95_ms']:6.1f} {w['p99_ms']:6.1f}")

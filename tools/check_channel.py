"""Verify a pulled channel's connection: `python -m tools.check_channel <integration>`.

Asks the running order pullers (over RabbitMQ, as the gateway would) to call the channel once
with the integration's configured credentials, and prints what it found: how many orders were
updated in the last days and the newest update time. The credentials stay with the pullers;
this tool needs only AMQP_URL and BROKER_NAMESPACE. Exit code 0: the channel answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from faststream.rabbit import RabbitBroker

from shared.contracts.envelope import Actor, ActorType, Command, Query
from shared.contracts.integrations import CheckIntegration
from shared.contracts.replies import Reply
from shared.rpc import RpcClient, ServiceUnavailable
from shared.settings import DEV_AMQP_URL
from shared.topology import Topology

OPERATOR = Actor(type=ActorType.API, id="tools")


async def ask_pullers(request: Query | Command, *, timeout_s: float = 60) -> Reply:
    broker = RabbitBroker(os.environ.get("AMQP_URL", DEV_AMQP_URL), log_level=30)
    topology = Topology(os.environ.get("BROKER_NAMESPACE", "crm"))
    rpc = RpcClient(broker, topology, timeout_s=timeout_s)
    await broker.start()
    try:
        return await rpc.request("pullers", request)
    finally:
        await broker.stop()


def report(result: dict[str, Any]) -> str:
    found = f"{result['orders_found']}{'+' if result['more'] else ''}"
    newest = result["newest_update"] or "none"
    return (
        f"{result['integration']} ({result['channel']}, shop {result['shop']}): connection works\n"
        f"  orders updated since {result['since']}: {found}\n"
        f"  newest update: {newest}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_channel", description=__doc__)
    parser.add_argument("integration", help="the integration's name in PULLERS_INTEGRATIONS")
    parser.add_argument("--days", type=int, default=7, help="how far back to look (1-90)")
    args = parser.parse_args(argv)
    query = CheckIntegration(integration=args.integration, days=args.days, actor=OPERATOR)
    try:
        reply = asyncio.run(ask_pullers(query))
    except ServiceUnavailable as error:
        print(f"the order pullers did not answer: {error}", file=sys.stderr)
        return 2
    if reply.problem is not None:
        print(f"{args.integration}: {reply.problem.title}: {reply.problem.detail}", file=sys.stderr)
        return 1
    print(report(reply.result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

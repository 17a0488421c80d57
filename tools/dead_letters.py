"""Inspect and replay parked messages: `python -m tools.dead_letters list|replay <service>`.

`list --correlation-id <id>` shows only the messages of one flow, e.g. the rows of one bulk
import (its job id) that the customer service could not apply, with the field at fault.

A consumer parks a message it cannot process in `<namespace>.<service>.dlq`, with the reason in
its headers. `list` shows them without taking them away; `replay` sends them back to the
service's work queue (not to the exchange: the other consumers already have their copy) with the
attempt counter reset, once the cause is fixed. Messages are only removed from the parking queue
after the replay publish was confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from shared.dead_letters import UnknownConsumer, consumer, list_parked, replay
from shared.settings import DEV_AMQP_URL
from shared.topology import ConsumerQueue, Topology

__all__ = ["consumer_of", "list_parked", "main", "replay"]


def consumer_of(topology: Topology, service: str) -> ConsumerQueue:
    try:
        return consumer(topology, service)
    except UnknownConsumer as error:
        raise SystemExit(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dead_letters", description=__doc__)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("service", help="the consuming service, e.g. customer")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--correlation-id", help="list only these messages (e.g. an import id)")
    parser.add_argument("--namespace", default=os.environ.get("BROKER_NAMESPACE", "crm"))
    args = parser.parse_args(argv)
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    queue = consumer_of(Topology(args.namespace), args.service)
    if args.action == "list":
        parked = asyncio.run(
            list_parked(amqp_url, queue, limit=args.limit, correlation_id=args.correlation_id)
        )
        for item in parked:
            print(json.dumps(item.__dict__, ensure_ascii=False))
        print(
            f"{len(parked)} parked message(s) shown from {queue.dead_letter_name}", file=sys.stderr
        )
    else:
        moved = asyncio.run(replay(amqp_url, queue, limit=args.limit))
        print(f"replayed {moved} message(s) into {queue.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

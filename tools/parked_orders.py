"""Orders a puller parked because ingest refused them as malformed:
`python -m tools.parked_orders list|replay <integration> [order ids]`.

`list` shows them with ingest's reason; `replay` hands them (or the named ones) to ingest again,
once the cause is fixed. What ingest still refuses stays parked with the new reason. A parked
order also leaves the list by itself when a later state of it is pulled and taken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from shared.contracts.integrations import GetIntegrations, ReplayParkedOrders
from shared.rpc import ServiceUnavailable
from tools.check_channel import OPERATOR, ask_pullers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.parked_orders", description=__doc__)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("integration")
    parser.add_argument("order_ids", nargs="*")
    args = parser.parse_args(argv)
    request = (
        GetIntegrations(actor=OPERATOR)
        if args.action == "list"
        else ReplayParkedOrders(
            integration=args.integration, order_ids=tuple(args.order_ids), actor=OPERATOR
        )
    )
    try:
        reply = asyncio.run(ask_pullers(request))
    except ServiceUnavailable as error:
        print(f"the order pullers did not answer: {error}", file=sys.stderr)
        return 2
    if reply.problem is not None:
        print(f"{reply.problem.title}: {reply.problem.detail}", file=sys.stderr)
        return 1
    if args.action == "replay":
        print(json.dumps(reply.result, indent=2))
        return 0
    states = [s for s in reply.result["items"] if s["name"] == args.integration]
    if not states:
        print(f"no integration is named {args.integration!r}", file=sys.stderr)
        return 1
    state = states[0]
    for parked in state["parked"]:
        print(json.dumps(parked, ensure_ascii=False))
    print(f"{state['parked_count']} parked order(s), {len(state['parked'])} shown", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

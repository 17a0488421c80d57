"""Keys and roles of the gateway, straight in its database (the suite may be stopped):

    python -m tools.access keys create --name "support app" --role supporter [--expires ...]
    python -m tools.access keys list
    python -m tools.access keys revoke <key id>
    python -m tools.access roles list
    python -m tools.access roles set <name> --reads identity,contact --writes contact \\
        --actions merge --masked bank

MONGODB_URL says where the database server is, GATEWAY_DATABASE which database (default
`gateway`). A new key is printed once, as its only copy: only its hash is stored. Changes hold
from the next request on every gateway, like those made through the API.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from datetime import datetime

# The operator's tool for the gateway's own database: it uses the gateway's key format and
# stores, so that a key made here is exactly one the API would make.
from services.gateway.adapters.access_store import MongoKeys, MongoRoles
from services.gateway.domain.roles import ROLE_NAME, Action, Role
from services.gateway.use_cases.access import KeyAdmin, RoleAdmin
from shared.contracts.envelope import utc_now
from shared.errors import DomainError
from shared.mongo import make_client

OPERATOR = "operator:tools.access"


def _names(value: str) -> frozenset[str]:
    return frozenset(n.strip() for n in value.split(",") if n.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.access",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    area = parser.add_subparsers(dest="area", required=True)
    keys = area.add_parser("keys").add_subparsers(dest="command", required=True)
    create = keys.add_parser("create", help="make a key and print it (once)")
    create.add_argument("--name", required=True)
    create.add_argument("--role", action="append", required=True, dest="roles")
    create.add_argument("--expires", type=datetime.fromisoformat, help="ISO time with offset")
    create.add_argument("--shop", help="bind the key to one shop")
    keys.add_parser("list", help="every key, without secrets")
    revoke = keys.add_parser("revoke", help="the key gets 401 from the next request on")
    revoke.add_argument("key_id")
    roles = area.add_parser("roles").add_subparsers(dest="command", required=True)
    roles.add_parser("list")
    put = roles.add_parser("set", help="define or replace a role")
    put.add_argument("name")
    put.add_argument("--reads", type=_names, default=frozenset())
    put.add_argument("--writes", type=_names, default=frozenset())
    put.add_argument("--actions", type=_names, default=frozenset())
    put.add_argument("--masked", type=_names, default=frozenset())
    put.add_argument("--description", default="")
    return parser


async def run(args: argparse.Namespace) -> int:
    url = os.environ.get("MONGODB_URL")
    if not url:
        print("set MONGODB_URL (and GATEWAY_DATABASE unless it is `gateway`)", file=sys.stderr)
        return 2
    client = make_client(url, app_name="tools.access")
    db = client[os.environ.get("GATEWAY_DATABASE", "gateway")]
    keys, roles = MongoKeys(db["api_keys"]), MongoRoles(db["roles"])
    role_admin = RoleAdmin(roles)
    key_admin = KeyAdmin(keys, roles, utc_now)
    try:
        # The defaults, as the gateway seeds them at its start (it may never have started).
        await role_admin.seed()
        if args.area == "keys":
            return await _keys(args, key_admin, keys)
        return await _roles(args, role_admin, roles)
    except DomainError as refused:
        print(f"refused: {refused.detail}", file=sys.stderr)
        return 1
    finally:
        await client.close()


async def _keys(args: argparse.Namespace, admin: KeyAdmin, keys: MongoKeys) -> int:
    if args.command == "create":
        record, key = await admin.create(
            name=args.name,
            roles=tuple(args.roles),
            created_by=OPERATOR,
            expires_at=args.expires,
            shop=args.shop,
        )
        print(f"key {record.id} ({record.name}, roles {', '.join(record.roles)}):")
        print(key)
        return 0
    if args.command == "revoke":
        revoked = await admin.revoke(args.key_id)
        print(f"revoked {revoked.id} ({revoked.name}) at {revoked.revoked_at:%Y-%m-%d %H:%M:%S}")
        return 0
    now = utc_now()
    for k in await keys.all():
        state = "active" if k.usable(now) else ("revoked" if k.revoked_at else "expired")
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
        shop = f" shop={k.shop}" if k.shop else ""
        print(f"{k.id}  {state:<7}  {','.join(k.roles):<20} used {used:<16} {k.name}{shop}")
    return 0


async def _roles(args: argparse.Namespace, admin: RoleAdmin, roles: MongoRoles) -> int:
    if args.command == "set":
        if not re.fullmatch(ROLE_NAME, args.name):
            print(f"a role name is {ROLE_NAME}", file=sys.stderr)
            return 2
        unknown = sorted(args.actions - {a.value for a in Action})
        if unknown:
            print(f"unknown actions: {', '.join(unknown)}", file=sys.stderr)
            return 2
        role = Role(
            name=args.name,
            reads=args.reads,
            writes=args.writes,
            actions=frozenset(Action(a) for a in args.actions),
            masked=args.masked,
            description=args.description,
        )
        await admin.put(role)
    for r in await roles.all():
        print(f"{r.name}: {r.description}")
        print(f"  reads   {', '.join(sorted(r.reads)) or '-'}")
        if r.masked:
            print(f"  masked  {', '.join(sorted(r.masked))}")
        print(f"  writes  {', '.join(sorted(r.writes)) or '-'}")
        print(f"  actions {', '.join(sorted(r.actions)) or '-'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

"""`make docs`: the published interfaces under docs/api/, generated from the code.

Every service that consumes messages gets its AsyncAPI document, as FastStream generates it
from the typed subscribers; gateway and ingest get their OpenAPI documents, as FastAPI
generates them. The documents are committed; `tests/unit/test_api_docs.py` fails when one
differs from what the code generates now, so a change of an interface shows in its review.

The services are found by name, as `python -m services.<name>` finds them (tools import no
service module statically), and built with fixed settings (nothing connects), so the output
does not depend on the environment it runs in.

    python -m tools.api_docs           # write the documents
    python -m tools.api_docs --check   # exit 1 and name the stale ones
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from faststream import FastStream
from faststream.specification import AsyncAPI

ROOT = Path(__file__).resolve().parent.parent
API_DIR = ROOT / "docs" / "api"
# Services with subscribers (work queues, request/reply); ingest and the gateway only publish
# or ask, and are documented by their HTTP interface.
MESSAGING_SERVICES = {
    "customer": "Customer master data: commands, events it follows, and request/reply.",
    "consent": "Consent ledger: decisions from orders and people, double opt-in, queries.",
    "tasks": "Tasks and reminders: commands, the customer events it follows, queries.",
    "mailer": "Mail: the double opt-in confirmation mails it sends.",
    "pullers": "Order pullers: the gateway's questions about integrations.",
}
HTTP_SERVICES = ("gateway", "ingest")
# What the documents are generated with: the defaults of a development machine. Only names
# end up in the documents (the broker's address, the namespace `crm`); nothing connects.
FIXED_ENVIRONMENT = {
    "SUITE_ENVIRONMENT": "development",
    "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "MONGODB_URL": "mongodb://127.0.0.1:27017/",
    "BROKER_NAMESPACE": "crm",
}
# A process's private reply queue has a random name: it is no published interface.
_PRIVATE_CHANNEL = ".replies."


@contextmanager
def fixed_environment() -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({k: v for k, v in saved.items() if k in ("PATH", "HOME")})
    os.environ.update(FIXED_ENVIRONMENT)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _app(service: str) -> Any:
    module = importlib.import_module(f"services.{service}.main")
    return module.create_app()


def asyncapi_document(service: str) -> dict[str, Any]:
    runtime = _app(service).state.runtime
    title = f"{service} service"
    spec = AsyncAPI(runtime.broker, title=title, description=MESSAGING_SERVICES[service])
    document: dict[str, Any] = (
        FastStream(runtime.broker, specification=spec).schema.to_specification().to_jsonable()
    )
    return _without_private_channels(document)


def _without_private_channels(document: dict[str, Any]) -> dict[str, Any]:
    private = {k for k, v in document.get("channels", {}).items() if _is_private(k, v)}
    document["channels"] = {k: v for k, v in document["channels"].items() if k not in private}
    operations = document.get("operations", {})
    document["operations"] = {
        k: v
        for k, v in operations.items()
        if v.get("channel", {}).get("$ref", "").rsplit("/", 1)[-1] not in private
    }
    components = document.get("components", {})
    components["messages"] = {
        k: v
        for k, v in components.get("messages", {}).items()
        if not any(k.startswith(f"{p}:") for p in private)
    }
    components["schemas"] = _referenced(document, components.get("schemas", {}))
    return document


_SCHEMA_REF = re.compile(r'"#/components/schemas/([^"]+)"')


def _referenced(document: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The schemas something left in the document refers to, directly or through another."""
    outside = {k: v for k, v in document.items() if k != "components"}
    outside["messages"] = document.get("components", {}).get("messages", {})
    wanted = {unquote(n) for n in _SCHEMA_REF.findall(json.dumps(outside))}
    pending = list(wanted)
    while pending:
        schema = schemas.get(pending.pop())
        for name in map(unquote, _SCHEMA_REF.findall(json.dumps(schema))):
            if name not in wanted:
                wanted.add(name)
                pending.append(name)
    return {k: v for k, v in schemas.items() if k in wanted}


def _is_private(name: str, channel: dict[str, Any]) -> bool:
    return _PRIVATE_CHANNEL in name or _PRIVATE_CHANNEL in str(channel.get("address", ""))


def openapi_document(service: str) -> dict[str, Any]:
    document: dict[str, Any] = _app(service).openapi()
    return document


def documents() -> dict[Path, str]:
    """File -> its content, as the code generates it now."""
    found: dict[str, dict[str, Any]] = {}
    with fixed_environment():
        for service in MESSAGING_SERVICES:
            found[f"{service}.asyncapi.json"] = asyncapi_document(service)
        for service in HTTP_SERVICES:
            found[f"{service}.openapi.json"] = openapi_document(service)
    return {
        API_DIR / name: json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        for name, document in found.items()
    }


def stale(generated: dict[Path, str]) -> list[Path]:
    return [
        path
        for path, content in generated.items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only say which are stale")
    args = parser.parse_args(argv)
    generated = documents()
    outdated = stale(generated)
    if args.check:
        for path in outdated:
            print(f"stale: {path.relative_to(ROOT)} (run `make docs`)")
        return 1 if outdated else 0
    API_DIR.mkdir(parents=True, exist_ok=True)
    for path in outdated:
        path.write_text(generated[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

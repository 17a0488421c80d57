"""The path template of an app's OpenAPI document that a request's path falls under, for what
answers a request before the router has matched it (the request limits; the metrics of a
request refused by a middleware)."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import compile_path

Templates = list[tuple[str, re.Pattern[str]]]


def templates(document: dict[str, Any]) -> Templates:
    """Every path of the document with its pattern; literal paths first, so that
    `/v1/customers/export` wins over `/v1/customers/{id}`."""
    found = [(template, compile_path(template)[0]) for template in document.get("paths", {})]
    return sorted(found, key=lambda entry: "{" in entry[0])


def template_of(known: Templates, path: str) -> str | None:
    return next((template for template, pattern in known if pattern.match(path)), None)

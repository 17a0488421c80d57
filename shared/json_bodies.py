"""JSON request bodies are held to the types their document states: a boolean is `true` or
`false` (not `"false"`, not `0`), an integer is not `"3"` nor `3.0`, a date-time is a string (not
a number of seconds).

FastAPI validates a body in pydantic's lax Python mode, after parsing it: the contracts'
models would take any value that converts, where the document (generated from the same models)
calls it invalid. Nor can the models themselves be strict: in Python mode a strict model refuses
an ISO 8601 string for a date-time and a value for an enum, which is all JSON can carry, and the
same contracts are built from CSV rows and channel payloads that rely on conversion. Pydantic's
strict *JSON* mode is JSON Schema's types, so each body is validated that way too, against its
route's own type: one rule for every JSON body of every service. One difference is bridged: to
JSON Schema `3.0` is an integer, to pydantic's strict mode it is not.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

from shared.http_limits import is_json, media_type

# One adapter per route, made on its first request (a route's body type never changes) and kept
# on the route itself, so it goes with its app (tests make and drop many).
_ADAPTER = "_strict_json_body"


def _adapter(route: APIRoute) -> TypeAdapter[Any] | None:
    if not hasattr(route, _ADAPTER):
        field = route.body_field
        body_type = field.field_info.annotation if field is not None else None
        setattr(route, _ADAPTER, TypeAdapter(body_type) if body_type is not None else None)
    adapter: TypeAdapter[Any] | None = getattr(route, _ADAPTER)
    return adapter


def _number(text: str) -> float | int:
    """A JSON number with a fraction: an int when the fraction is zero, as JSON Schema says."""
    number = float(text)
    return int(number) if number.is_integer() else number


async def strict_json_body(request: Request) -> None:
    """An app-wide dependency: refuse (422, as any invalid request) a JSON body whose values
    are not of the type the document states, though lax validation would convert them."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not is_json(
        media_type(request.headers.get("content-type"))
    ):
        return
    adapter = _adapter(route)
    body = await request.body()
    if adapter is None or not body:
        return
    try:
        document = json.loads(body, parse_float=_number)
    except ValueError:
        return  # FastAPI has refused it already
    try:
        adapter.validate_json(json.dumps(document), strict=True)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from error

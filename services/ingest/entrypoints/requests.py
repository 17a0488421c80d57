"""What every channel entry point does with a request before its adapter sees it: parse the raw
body (a signature covers the exact bytes; `shared.http_limits` already bounded its size, type
and depth), and refuse what cannot be attributed or is not handled here."""

from __future__ import annotations

import json
from typing import Any

from shared.contracts.replies import FieldError, Problem, ProblemError
from shared.errors import InvalidInput
from shared.http_limits import JSON


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProblemError(
            Problem(
                type="urn:problem:malformed-json",
                title="Malformed JSON",
                status=400,
                detail=f"The body is not JSON: {error}",
                errors=(FieldError(field="body", message=str(error)),),
            )
        ) from None


def json_body(description: str, *, also: tuple[str, ...] = ()) -> dict[str, Any]:
    """`openapi_extra` of an endpoint that reads a channel's own JSON itself (it must see the
    exact bytes): documents the body, and tells `shared.http_limits` which media types it takes."""
    content = {media: {"schema": {"type": "object"}} for media in (JSON, *also)}
    return {"requestBody": {"required": True, "description": description, "content": content}}


def unauthorized(detail: str, *, challenge: str | None = None) -> ProblemError:
    return ProblemError(
        Problem(type="urn:problem:unauthorized", title="Unauthorized", status=401, detail=detail),
        headers={"WWW-Authenticate": challenge} if challenge else None,
    )


def not_handled(header: str, value: str | None, handled: frozenset[str]) -> InvalidInput:
    return InvalidInput(
        [FieldError(field=header, message=f"must be one of {sorted(handled)}")],
        f"{header} {value!r} is not a topic this endpoint takes",
    )

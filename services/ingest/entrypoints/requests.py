"""What every channel entry point does with a request before its adapter sees it: read the raw
body (a signature covers the exact bytes, and a body has a size limit), parse it, and refuse
what cannot be attributed or is not handled here."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from shared.contracts.replies import FieldError, Problem, ProblemError
from shared.errors import InvalidInput


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        Problem(
            type="urn:problem:payload-too-large",
            title="Payload too large",
            status=413,
            detail=f"An order payload may have at most {limit} bytes.",
        )
    )


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

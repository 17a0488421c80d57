"""What every HTTP request must be before an endpoint sees it: bounded, of a type the endpoint
takes, not nested without end, and asking only what the endpoint understands.

`RequestLimits` is an ASGI middleware, so it acts on the bytes as they arrive, before FastAPI
parses anything:

- a body may have at most `max_body_bytes` (413): a larger declared `Content-Length` is refused
  before a byte is read, a body without one is counted while it streams in and refused as soon as
  it passes the limit, so no endpoint ever holds more than the limit;
- routes that read their body as a stream (bulk imports) have their own, larger limit, counted
  while the endpoint reads (`streamed`);
- a body must be of a media type the route declares (415), and JSON may be nested at most
  `max_json_depth` deep (400): Python's `json` recurses, and a body nested 10,000 deep would
  otherwise end in a RecursionError;
- a query parameter the route does not declare is refused (400) instead of being ignored, so a
  misspelt filter does not silently return everything (`open_query` names routes that also take
  parameters by prefix, such as `extra.<key>`).

What an operation takes (its request body's media types, its query parameters) is read from the
app's OpenAPI document, so the document and the checks cannot disagree. `document_refusals` adds
these answers, and the problem format of every error, to that document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.contracts.replies import FieldError, Problem
from shared.json_nesting import nested_deeper_than
from shared.problems import PROBLEM_JSON, problem_response
from shared.route_templates import templates

log = logging.getLogger(__name__)
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# What a body without a Content-Type is taken to be (RFC 9110, 8.3).
OCTET_STREAM = "application/octet-stream"


class BodyTooLarge(Exception):
    """A streamed body passed its limit; raised by `receive` while the endpoint reads."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit


def too_large(limit: int) -> Problem:
    return Problem(
        type="urn:problem:payload-too-large",
        title="Payload too large",
        status=413,
        detail=f"The body of this request may have at most {limit} bytes.",
        errors=(FieldError(field="body", message=f"larger than {limit} bytes"),),
    )


def unsupported_media_type(given: str | None, taken: Iterable[str]) -> Problem:
    accepted = sorted(taken)
    detail = (
        f"Send the body as one of: {', '.join(accepted)}."
        if accepted
        else "This endpoint takes no body."
    )
    return Problem(
        type="urn:problem:unsupported-media-type",
        title="Unsupported media type",
        status=415,
        detail=detail,
        errors=(FieldError(field="Content-Type", message=f"{given!r} is not taken here"),),
    )


def too_deeply_nested(limit: int) -> Problem:
    return Problem(
        type="urn:problem:too-deeply-nested",
        title="JSON nested too deeply",
        status=400,
        detail=f"JSON may be nested at most {limit} levels deep.",
        errors=(FieldError(field="body", message=f"nested deeper than {limit} levels"),),
    )


def unknown_parameters(names: Iterable[str], known: Iterable[str]) -> Problem:
    unknown = sorted(set(names))
    message = f"not a parameter of this endpoint (it takes: {', '.join(sorted(known)) or 'none'})"
    return Problem(
        type="urn:problem:unknown-parameter",
        title="Unknown query parameter",
        status=400,
        detail=f"Unknown query parameters: {', '.join(unknown)}.",
        errors=tuple(FieldError(field=name, message=message) for name in unknown),
    )


def media_type(content_type: str | None) -> str:
    """`application/json; charset=utf-8` -> `application/json`; none: octet-stream."""
    return (content_type or "").split(";", 1)[0].strip().lower() or OCTET_STREAM


def is_json(media: str | None) -> bool:
    return media is not None and (media == JSON or media.endswith("+json"))


@dataclass(frozen=True)
class _RouteRules:
    media_types: frozenset[str]
    query: frozenset[str]
    query_prefixes: tuple[str, ...]
    streamed_limit: int | None

    def takes(self, media: str) -> bool:
        return media in self.media_types or (JSON in self.media_types and is_json(media))

    def unknown(self, names: Iterable[str]) -> list[str]:
        return [
            name
            for name in names
            if name not in self.query and not name.startswith(self.query_prefixes)
        ]


@dataclass(frozen=True)
class _Path:
    template: str
    pattern: re.Pattern[str]
    # method -> what the operation takes
    operations: dict[str, _RouteRules]


def _paths(document: dict[str, Any], limits: RequestLimits) -> list[_Path]:
    """Every path of the OpenAPI document with what each of its operations takes, in the order
    `route_templates` matches them."""
    found = []
    for template, pattern in templates(document):
        operations = {}
        for method, operation in document["paths"][template].items():
            content = operation.get("requestBody", {}).get("content", {})
            query = {p["name"] for p in operation.get("parameters", ()) if p.get("in") == "query"}
            operations[method.upper()] = _RouteRules(
                media_types=frozenset(str(media).lower() for media in content),
                query=frozenset(query),
                query_prefixes=limits.open_query.get(template, ()),
                streamed_limit=limits.streamed.get(template),
            )
        found.append(_Path(template, pattern, operations))
    return found


class RequestLimits:
    """The ASGI middleware; add it with `install_request_limits`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_json_depth: int,
        streamed: Mapping[str, int] | None = None,
        open_query: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.streamed = dict(streamed or {})
        self.open_query = dict(open_query or {})
        self._paths: list[_Path] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # None: an operation the document does not describe (its own pages, an unknown path,
        # another method); the router answers it, and its body is still bounded.
        rules = self._rules_of(scope)
        refusal = self._query_refusal(scope, rules) if rules is not None else None
        if refusal is not None:
            await _refuse(refusal, scope, send)
            return
        headers = Headers(scope=scope)
        declared = _content_length(headers)
        if declared is None and "transfer-encoding" not in headers:
            declared = 0  # HTTP/1.1: neither header, no body
        # A path the document does not describe (a console form) may still be streamed.
        streamed_limit = (
            rules.streamed_limit if rules is not None else self.streamed.get(scope["path"])
        )
        limit = streamed_limit or self.max_body_bytes
        if declared is not None and declared > limit:
            await _refuse(too_large(limit), scope, send)
            return
        if declared != 0:
            media = media_type(headers.get("content-type"))
            if rules is not None and not rules.takes(media):
                await _refuse(unsupported_media_type(media, rules.media_types), scope, send)
                return
            if streamed_limit is not None:
                await self._streamed(scope, receive, send, streamed_limit)
                return
            body = await _read_within(receive, limit)
            if body is None:
                await _refuse(too_large(limit), scope, send)
                return
            if is_json(media) and nested_deeper_than(body, self.max_json_depth):
                await _refuse(too_deeply_nested(self.max_json_depth), scope, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _rules_of(self, scope: Scope) -> _RouteRules | None:
        """What the operation of this request takes, as the app's OpenAPI document says; None
        for what the document does not describe (its own pages, an unknown path)."""
        if self._paths is None:
            self._paths = _paths(scope["app"].openapi(), self)
        for path in self._paths:
            if path.pattern.match(scope["path"]):
                return path.operations.get(scope["method"])
        return None

    @staticmethod
    def _query_refusal(scope: Scope, rules: _RouteRules) -> Problem | None:
        query = scope.get("query_string", b"")
        if not query:
            return None
        names = [name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
        unknown = rules.unknown(names)
        return unknown_parameters(unknown, rules.query) if unknown else None

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """The endpoint reads the body itself; it is counted as it goes, and refused (the
        endpoint sees `BodyTooLarge`) the moment it passes the limit."""
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as error:
            if started:
                log.warning("a streamed body passed its limit after the answer began: %s", error)
                return
            await _refuse(too_large(error.limit), scope, send)


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


async def _read_within(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` (the rest is never read)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body)  # the client went away; the endpoint will see that too
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the endpoint the body already read, then waits as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(problem: Problem, scope: Scope, send: Send) -> None:
    # The body is not read (further): the client is told to stop, and the connection is not
    # kept for another request, which could otherwise begin with what is left of this body.
    response = problem_response(problem, headers={"Connection": "close"})

    async def nothing_more() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing_more, send)


def install_request_limits(
    app: FastAPI,
    *,
    max_body_bytes: int,
    max_json_depth: int,
    streamed: Mapping[str, int] | None = None,
    open_query: Mapping[str, tuple[str, ...]] | None = None,
    answers: Answers | None = None,
) -> None:
    """Check every request of `app` (see the module's description) and document the refusals.

    `streamed`: route path -> the larger limit of a body the endpoint reads as a stream;
    `open_query`: route path -> prefixes of query parameters it takes besides those declared;
    `answers`: what else the service's operations may answer, by kind of operation.
    """
    app.add_middleware(
        RequestLimits,
        max_body_bytes=max_body_bytes,
        max_json_depth=max_json_depth,
        streamed=streamed,
        open_query=open_query,
    )
    document_refusals(app, answers or Answers())


IDEMPOTENCY_KEY = "Idempotency-Key"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: the problems it may answer besides validation errors."""
    return {status: {"description": _DESCRIPTIONS[status]} for status in statuses}


_DESCRIPTIONS = {
    400: "Bad request: an unknown query parameter, JSON nested too deeply, malformed JSON",
    401: "Unauthorized: no valid credentials",
    403: "Forbidden: the credentials do not allow this",
    404: "Not found",
    409: "Conflict with the current state",
    410: "Gone",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input: each error names its field",
    429: "Too many requests (see Retry-After)",
    503: "Unavailable for now (see Retry-After); nothing was done",
}


@dataclass(frozen=True)
class Answers:
    """Problems a service's operations may answer by their kind, documented on each: a gateway
    that asks other services, say, may answer 503 anywhere (a service did not answer), 404 where
    a path names a record, and 409 to a change the record's state does not allow."""

    every: tuple[int, ...] = ()
    naming_a_record: tuple[int, ...] = ()
    changing: tuple[int, ...] = ()
    # A request sent again with its Idempotency-Key is answered with what it changed as that is
    # now: a create retried after the record it made was removed finds nothing (404).
    retried: tuple[int, ...] = ()

    def of(self, method: str, operation: dict[str, Any]) -> set[int]:
        statuses = set(self.every)
        parameters = operation.get("parameters", ())
        if any(p.get("in") == "path" for p in parameters):
            statuses.update(self.naming_a_record)
        if method.lower() in ("post", "put", "patch", "delete"):
            statuses.update(self.changing)
        if any(p.get("in") == "header" and p.get("name") == IDEMPOTENCY_KEY for p in parameters):
            statuses.update(self.retried)
        return statuses


def document_refusals(app: FastAPI, answers: Answers) -> None:
    """Make the OpenAPI document tell every answer the edge may give: each operation may answer
    400 (unknown parameter), an operation with a body also 413, 415 and 422, and what `answers`
    adds; and every error is problem+json (FastAPI documents its own validation errors
    otherwise)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = _problem_schema(components)
        for methods in document.get("paths", {}).values():
            for method, operation in methods.items():
                _document_operation(operation, answers.of(method, operation))
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _document_operation(operation: dict[str, Any], statuses: set[int]) -> None:
    for parameter in operation.get("parameters", ()):
        if parameter.get("in") == "header":
            _not_null(parameter["schema"])
    responses = operation.setdefault("responses", {})
    statuses = {400, *statuses}
    if "requestBody" in operation:
        statuses |= {413, 415, 422}
    if operation.get("parameters"):
        statuses.add(422)
    for status in sorted(statuses):
        description = _DESCRIPTIONS.get(status, "Refused")
        responses.setdefault(str(status), {"description": description})
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            # A page (a browser's answer) stays; JSON is a problem's.
            pages = {k: v for k, v in response.get("content", {}).items() if not is_json(k)}
            response["content"] = {
                PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}},
                **pages,
            }


def _not_null(schema: dict[str, Any]) -> None:
    """A header is sent or left out, never null: an optional one (`str | None`) is documented
    as what it is when sent (a client told it may be null would send some text for it)."""
    branches = [s for s in schema.get("anyOf", ()) if s != {"type": "null"}]
    if len(branches) == 1 and len(schema["anyOf"]) == 2:
        del schema["anyOf"]
        schema.update(branches[0])


def _problem_schema(components: dict[str, Any]) -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    return schema

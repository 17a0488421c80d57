"""Logging: one processor chain for every line a service writes, personal data redacted.

Every log line, whether from our code (`logging.getLogger`), a library (uvicorn, FastStream,
aio-pika, PyMongo) or structlog, goes through structlog's `ProcessorFormatter`: the same
processors add the time, level, service, the current trace and span ids and the message or
request id being worked on, then `redact` removes personal data, then the line is rendered:
one JSON object per line (`LOG_FORMAT=json`, what compose and Kubernetes run) or a readable
line for a terminal (the default of `make run`).

Redaction runs on every line and is cheap: fields are redacted by their key (a field named
`email`, `first_name`, `city`, `token`... never shows its value), free text by a few patterns
compiled once (emails, phone numbers, IBANs, bearer tokens and credentials in URLs, and
`key=value` or `"key": "value"` pairs whose key is personal, as in a dumped dict or a
validation error).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, Literal

import structlog
from opentelemetry import trace

LogFormat = Literal["console", "json"]
REDACTED = "[redacted]"

# Keys whose value is personal data or a secret wherever they appear (lower case, compared
# after lower-casing the key).
PERSONAL_KEYS = frozenset(
    {
        # people
        "name",
        "first_name",
        "last_name",
        "middle_name",
        "full_name",
        "display_name",
        "company",
        "birthday",
        "date_of_birth",
        # contact
        "email",
        "emails",
        "email_address",
        "to",
        "recipient",
        "phone",
        "phones",
        "mobile",
        # addresses
        "address",
        "addresses",
        "street",
        "line1",
        "line2",
        "house_number",
        "city",
        "postal_code",
        "zip",
        "zip_code",
        "billing_address",
        "shipping_address",
        # money
        "iban",
        "bic",
        "account_holder",
        "holder",
        # network identity
        "ip",
        "ip_address",
        "user_agent",
        # secrets
        "password",
        "token",
        "secret",
        "api_key",
        "authorization",
        "cookie",
        "key",
        "input_value",
    }
)
# Fields the logging itself adds: never personal, never scanned.
_OWN_FIELDS = frozenset(
    {
        "time",
        "timestamp",
        "level",
        "service",
        "logger",
        "trace_id",
        "span_id",
        "message_id",
        "correlation_id",
        "request_id",
        "queue",
        "type",
    }
)

_KEY_ALTERNATIVES = "|".join(sorted(PERSONAL_KEYS, key=len, reverse=True))
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Credentials first (`Authorization: Bearer ...` is also a personal key and its value).
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w\-.~+/=]+"), rf"\1 {REDACTED}"),
    # `"first_name": "Anna"`, `'city': 'Berlin'`, `\"email\": \"...\"` (JSON inside a string),
    # `name=Anna`, pydantic's `input_value='...'`: the value after a personal key.
    (
        re.compile(
            rf"""(?i)\b({_KEY_ALTERNATIVES})(\\?["'])?(\s*[:=]\s*)"""
            r"""(?:(\\?["'])(?:(?!\4).)*\4|[^\s,;&(){}[\]'"]+)"""
        ),
        rf"\1\2\3{REDACTED}",
    ),
    # Credentials: `user:password@host`, JSON web tokens.
    (re.compile(r"://[^/\s:@]+:[^/\s@]+@"), f"://{REDACTED}@"),
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"), REDACTED),
    (re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+"), REDACTED),
    # IBAN: country, check digits, up to 30 letters or digits, maybe in groups of four.
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"), REDACTED),
    # Phone numbers: 7 to 15 digits with the usual separators, a leading + or 00 allowed; not
    # a date, not digits inside a word or an id (`4f2a-1234567`).
    (
        re.compile(
            r"(?<![\w.+/:-])(?!\d{4}-\d\d-\d\d)(?:\+|00)?\d(?:[ ()/.-]{0,2}\d){6,14}(?![\w:-])"
        ),
        REDACTED,
    ),
)
# A string shorter than this holds no personal value worth a pattern search.
_MIN_SCANNED = 5


def redact_text(text: str) -> str:
    if len(text) < _MIN_SCANNED:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if _is_personal(k) else redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else is logged as its text: redact that.
    return redact_text(str(value))


def _is_personal(key: object) -> bool:
    return isinstance(key, str) and key.lower() in PERSONAL_KEYS


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: every field by its key, free text by the patterns."""
    for key, value in event.items():
        if key in _OWN_FIELDS:
            continue
        if _is_personal(key):
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = redact_text(value)
        elif value is not None and not isinstance(value, bool | int | float):
            event[key] = redact_value(value)
    return event


def add_trace_context(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


def _service_adder(service: str) -> structlog.types.Processor:
    def add_service(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event["service"] = service
        return event

    return add_service


def _drop_record(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event.pop("_record", None)
    event.pop("_from_structlog", None)
    return event


def processors(service: str, log_format: LogFormat) -> list[structlog.types.Processor]:
    """The chain every line takes, up to (not including) rendering."""
    chain: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        _service_adder(service),
        add_trace_context,
        # Exceptions become text before redaction: a traceback may quote personal values.
        structlog.processors.format_exc_info,
        redact,
    ]
    if log_format == "json":
        chain.append(structlog.processors.EventRenamer("message"))
    return chain


def configure_logging(level: str, *, service: str, log_format: LogFormat = "console") -> None:
    """Route every logger of the process through the redacting chain, to standard output."""
    pre_chain = processors(service, log_format)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty(), exception_formatter=_plain)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=pre_chain, processors=[_drop_record, renderer]
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *pre_chain,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # PyMongo's command log carries whole documents (the people themselves): never wanted, even
    # at DEBUG, and far too costly on the hot path.
    for noisy in ("pymongo.command", "pymongo.connection", "pymongo.serverSelection"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))


def _plain(sio: Any, exc_info: Any) -> None:
    # format_exc_info has turned the exception into redacted text already.
    return


@contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    """Add these fields (a message or request id) to every line logged inside the block."""
    present = {k: v for k, v in fields.items() if v}
    with structlog.contextvars.bound_contextvars(**present):
        yield

"""Log lines: one JSON object each, with the ids that find a message, and no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider

from shared.logs import REDACTED, bound, configure_logging, redact, redact_text

PERSONAL = {
    "email": "anna.schmidt@example.com",
    "phone": "+49 30 901820",
    "national phone": "030 901820",
    "iban": "DE89 3704 0044 0532 0130 00",
    "iban unspaced": "DE89370400440532013000",
    "bearer": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm5hIn0.c2lnbmF0dXJl",
    "url password": "amqp://suite:s3cr3t-pass@rabbitmq:5672/",
}


@pytest.mark.parametrize("kind", sorted(PERSONAL))
def test_free_text_loses_personal_values(kind: str) -> None:
    value = PERSONAL[kind]
    text = redact_text(f"order 17 from {value} failed")
    secret_part = {"bearer": "eyJhbGciOiJIUzI1NiJ9", "url password": "s3cr3t-pass"}
    assert secret_part.get(kind, value) not in text
    assert REDACTED in text
    assert text.startswith("order 17 from ")


@pytest.mark.parametrize(
    "text",
    [
        "{'first_name': 'Anna', 'city': 'Berlin', 'line1': 'Hauptstraße 5'}",
        '{"first_name": "Anna", "city": "Berlin", "line1": "Hauptstraße 5"}',
        '{\\"first_name\\": \\"Anna\\", \\"city\\": \\"Berlin\\",'
        ' \\"line1\\": \\"Hauptstraße 5\\"}',
        "first_name=Anna city=Berlin line1='Hauptstraße 5'",
        "error: input_value='Anna', input_type=str; city: Berlin; line1: 'Hauptstraße 5'",
    ],
)
def test_names_and_addresses_after_a_personal_key_are_redacted(text: str) -> None:
    redacted = redact_text(text)
    for value in ("Anna", "Berlin", "Hauptstraße"):
        assert value not in redacted, redacted


@pytest.mark.parametrize(
    "text",
    [
        "customer 6f1c2b7e-3a4d-4c1e-9f00-1234567890ab upserted",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7",
        "ready on 127.0.0.1:8002 after 0.125 s",
        "alarm due 2026-11-20 10:00:00, retry in 300 ms, attempt 3 of 5",
        "crm.customer: parked message m-1 (type customer.upsert_from_order.v1)",
    ],
)
def test_operational_text_stays_readable(text: str) -> None:
    assert redact_text(text) == text


def test_fields_are_redacted_by_key_at_any_depth() -> None:
    event: dict[str, Any] = {
        "event": "upserted",
        "email": "a@b.de",
        "customer": {"First_Name": "Anna", "addresses": [{"city": "Berlin"}], "count": 2},
        "notes": ["call +49 30 901820"],
        "message_id": "m-1",
        "attempt": 3,
    }
    redacted = redact(None, "info", event)
    assert redacted == {
        "event": "upserted",
        "email": REDACTED,
        "customer": {"First_Name": REDACTED, "addresses": REDACTED, "count": 2},
        "notes": [f"call {REDACTED}"],
        "message_id": "m-1",
        "attempt": 3,
    }


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    out = io.StringIO()
    with redirect_stdout(out):
        configure_logging("DEBUG", service="customer", log_format="json")
    # The handler holds the stream it was given; point it at the buffer.
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    yield out
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()


def lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_library_line_is_json_with_service_time_level_and_ids(json_lines: io.StringIO) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("consume") as span, bound(message_id="m-42"):
        logging.getLogger("uvicorn.error").warning("buyer %s wrote", "anna@example.com")
    [line] = lines(json_lines)
    context = span.get_span_context()
    assert line["message"] == f"buyer {REDACTED} wrote"
    assert line["level"] == "warning"
    assert line["service"] == "customer"
    assert line["message_id"] == "m-42"
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")
    assert line["time"].endswith("Z")


def test_structlog_lines_and_tracebacks_are_redacted(json_lines: io.StringIO) -> None:
    log = structlog.get_logger("customer")
    log.info("seen", email="anna@example.com", last_name="Schmidt")
    try:
        raise ValueError("no customer anna@example.com")
    except ValueError:
        logging.getLogger("x").exception("lookup failed")
    seen, failed = lines(json_lines)
    assert seen["email"] == seen["last_name"] == REDACTED
    assert "anna@example.com" not in failed["exception"]
    assert "ValueError" in failed["exception"]
    assert "request_id" not in seen

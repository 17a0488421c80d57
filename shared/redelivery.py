"""What happens to a message whose handler failed: retry it later, or park it for a person.

RabbitMQ's own redelivery is immediate (a quorum queue retried 4 times within 10 ms in our
measurements), which is useless against a database that is restarting. So a consumer that fails
for a passing reason republishes the message to its retry queue, which hands it back after the
retry delay (`BROKER_RETRY_DELAY_MS`); after `MAX_ATTEMPTS`, or at once for a failure that
cannot pass, the message goes to the parking queue with the reason in its headers. Both
publishes are confirmed before the original is acknowledged, so nothing that was accepted is
lost. A crash before that leaves the message unacknowledged and RabbitMQ delivers it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aiormq.exceptions
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException
from pymongo.errors import ConnectionFailure, PyMongoError

from shared import metrics
from shared.broker import PUBLISH_TIMEOUT_S, service_of
from shared.dispatch import PermanentFailure
from shared.observe import message_failed
from shared.topology import MAX_ATTEMPTS

if TYPE_CHECKING:
    from faststream._internal.basic_types import AsyncFuncAny
    from faststream._internal.context.repository import ContextRepo
    from faststream.message import StreamMessage
    from faststream.rabbit import RabbitBroker

    from shared.topology import ConsumerQueue

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-attempt"
REASON_HEADER = "x-failure-reason"
ORIGINAL_EXCHANGE_HEADER = "x-original-exchange"
ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"
PARKED_AT_HEADER = "x-parked-at"
# RabbitMQ's own bookkeeping: it is rewritten on every dead-lettering and must not be copied.
_BROKER_HEADERS = frozenset(
    {
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-delivery-count",
    }
)


class TransientFailure(Exception):
    """A failure that may pass by itself (a dependency is down): try the message again later."""


def is_transient(error: BaseException) -> bool:
    if isinstance(error, TransientFailure | ConnectionFailure | TimeoutError | ConnectionError):
        return True
    if isinstance(error, aiormq.exceptions.AMQPConnectionError):
        return True
    if isinstance(error, PyMongoError):
        return error.has_error_label("TransientTransactionError") or error.has_error_label(
            "RetryableWriteError"
        )
    return False


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


class Redelivery:
    """Broker middleware factory for one consumer queue (give it to `include_router`)."""

    def __init__(
        self, broker: RabbitBroker, queue: ConsumerQueue, *, max_attempts: int = MAX_ATTEMPTS
    ) -> None:
        self.broker = broker
        self.queue = queue
        self.max_attempts = max_attempts
        # Every consumer can retry and park: its counters start at zero, not absent.
        service = service_of(broker)
        metrics.MESSAGES_RETRIED.labels(service, queue.name)
        metrics.MESSAGES_PARKED.labels(service, queue.name)

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> _RedeliveryScope:
        return _RedeliveryScope(msg, context=context, policy=self)

    async def handle_failure(self, message: StreamMessage[Any], error: Exception) -> None:
        attempt = _attempt(message.headers)
        headers = _carried_headers(message) | {REASON_HEADER: describe(error)}
        if is_transient(error) and attempt < self.max_attempts:
            log.warning(
                "%s: attempt %d of message %s failed, retrying later: %s",
                self.queue.name,
                attempt,
                message.message_id,
                describe(error),
            )
            await self._republish(
                message,
                headers | {ATTEMPT_HEADER: attempt + 1},
                exchange="",
                routing_key=self.queue.retry_name,
            )
            message_failed(retried=True)
            return
        log.error(
            "%s: parked message %s (type %s) after %d attempt(s): %s",
            self.queue.name,
            message.message_id,
            headers.get("x-message-type"),
            attempt,
            describe(error),
            exc_info=not isinstance(error, PermanentFailure),
        )
        headers[PARKED_AT_HEADER] = datetime.now(UTC).isoformat()
        await self._republish(
            message,
            headers,
            exchange=self.queue.dead_letter_exchange,
            routing_key=self.queue.dead_letter_name,
        )
        message_failed(retried=False)

    async def _republish(
        self,
        message: StreamMessage[Any],
        headers: dict[str, Any],
        *,
        exchange: str,
        routing_key: str,
    ) -> None:
        raw = message.raw_message
        await self.broker.publish(
            message.body,
            exchange=exchange or None,
            routing_key=routing_key,
            headers=headers,
            persist=True,
            mandatory=True,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=message.content_type or "application/json",
            message_type=getattr(raw, "type", None),
            timeout=PUBLISH_TIMEOUT_S,
        )


def _attempt(headers: Mapping[str, Any]) -> int:
    try:
        return max(1, int(headers.get(ATTEMPT_HEADER, 1)))
    except (TypeError, ValueError):
        return 1


def _carried_headers(message: StreamMessage[Any]) -> dict[str, Any]:
    raw = message.raw_message
    headers = {k: v for k, v in message.headers.items() if k not in _BROKER_HEADERS}
    # Remember where the message first came from: after a retry it arrives from the retry
    # queue through the default exchange, which says nothing about its origin.
    headers.setdefault(ORIGINAL_EXCHANGE_HEADER, getattr(raw, "exchange", "") or "")
    headers.setdefault(ORIGINAL_ROUTING_KEY_HEADER, getattr(raw, "routing_key", "") or "")
    message_type = getattr(raw, "type", None)
    if message_type:
        headers["x-message-type"] = message_type
    return headers


class _RedeliveryScope(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: ContextRepo, policy: Redelivery) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except (HandlerException, asyncio.CancelledError):
            # Explicit ack/nack/reject, or a shutdown cutting the handler short: the message is
            # left to the broker (a cancelled one is redelivered).
            raise
        except Exception as error:  # noqa: BLE001 - every failure is either retried or parked
            await self.policy.handle_failure(msg, error)
            return None

"""RabbitMQ topology: every exchange and queue of the suite, declared in this one place.

Queues are declared here with their arguments and subscribers refer to them with
`declare=False`: RabbitMQ refuses a second declaration with other arguments, so two places
that each declare a queue would break start-up as soon as they drift apart.

Per consuming service:
  <ns>.<service>         quorum work queue; redelivered too often -> dead-letter exchange
  <ns>.<service>.retry   holds a message that failed for a passing reason for retry_delay_ms,
                         then dead-letters it back into the work queue
  <ns>.<service>.dlq     parking lot: what could not be processed, kept for inspection and replay
  <ns>.<service>.rpc     queries from the gateway (request/reply)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

    from shared.contracts.envelope import Message

DEFAULT_RETRY_DELAY_MS = 2_000
# A message that fails for a passing reason is retried this many times before it is parked.
MAX_ATTEMPTS = 5
# Safety net for a message that kills its consumer (it never gets to park itself).
DELIVERY_LIMIT = 10
# An unanswered query is worthless after this; it must not pile up while a service is down.
RPC_TTL_MS = 30_000


@dataclass(frozen=True)
class Binding:
    exchange: str
    pattern: str


@dataclass(frozen=True)
class ConsumerQueue:
    """A service's work queue and its retry and parking queues."""

    name: str
    bindings: tuple[Binding, ...]
    dead_letter_exchange: str
    retry_delay_ms: int

    @property
    def retry_name(self) -> str:
        return f"{self.name}.retry"

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}.dlq"

    def subscription(self) -> RabbitQueue:
        """The work queue for a subscriber: declared by `declare`, so only referred to here."""
        return RabbitQueue(self.name, queue_type=QueueType.QUORUM, declare=False)

    def work_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            arguments={
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": self.dead_letter_exchange,
                "x-dead-letter-routing-key": self.dead_letter_name,
                # at-least-once dead-lettering: RabbitMQ keeps the message until the parking
                # queue confirmed it (it needs reject-publish overflow).
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )

    def retry_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.retry_name,
            durable=True,
            arguments={
                "x-message-ttl": self.retry_delay_ms,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.name,
            },
        )

    def dead_letter_queue(self) -> RabbitQueue:
        return RabbitQueue(self.dead_letter_name, queue_type=QueueType.QUORUM)


@dataclass(frozen=True)
class Topology:
    namespace: str = "crm"
    # Part of the retry queues' declaration: all services of one namespace must agree on it.
    retry_delay_ms: int = DEFAULT_RETRY_DELAY_MS

    @property
    def commands(self) -> RabbitExchange:
        return RabbitExchange(f"{self.namespace}.commands", type=ExchangeType.TOPIC, durable=True)

    @property
    def events(self) -> RabbitExchange:
        return RabbitExchange(f"{self.namespace}.events", type=ExchangeType.TOPIC, durable=True)

    @property
    def dead_letters(self) -> RabbitExchange:
        return RabbitExchange(
            f"{self.namespace}.dead-letters", type=ExchangeType.DIRECT, durable=True
        )

    def exchange_for(self, message: Message) -> RabbitExchange:
        if message.kind == "command":
            return self.commands
        if message.kind == "event":
            return self.events
        raise ValueError(f"{message.type} is a query: send it with the RPC client")

    def _consumer(self, service: str, *bindings: Binding) -> ConsumerQueue:
        return ConsumerQueue(
            name=f"{self.namespace}.{service}",
            bindings=bindings,
            dead_letter_exchange=self.dead_letters.name,
            retry_delay_ms=self.retry_delay_ms,
        )

    @property
    def customer(self) -> ConsumerQueue:
        # Its own commands, and what other services report about a customer (the timeline).
        return self._consumer(
            "customer",
            Binding(self.commands.name, "customer.#"),
            Binding(self.events.name, "consent.#"),
            *(
                Binding(self.events.name, f"task.{name}.#")
                for name in ("created", "reassigned", "status_changed", "completed", "reminder_due")
            ),
        )

    @property
    def consent(self) -> ConsumerQueue:
        return self._consumer(
            "consent",
            Binding(self.commands.name, "consent.#"),
            Binding(self.events.name, "customer.#"),
        )

    @property
    def tasks(self) -> ConsumerQueue:
        # Its own events too: it turns its reminders into notifications like any consumer.
        return self._consumer(
            "tasks",
            Binding(self.events.name, "customer.#"),
            Binding(self.events.name, "task.#"),
        )

    @property
    def mailer(self) -> ConsumerQueue:
        # Only the events it turns into mail: the rest of their families is not its business.
        return self._consumer(
            "mailer",
            Binding(self.events.name, "consent.double_opt_in_requested.*"),
            Binding(self.events.name, "task.reminder_due.*"),
            Binding(self.events.name, "task.overdue.*"),
        )

    @property
    def consumers(self) -> tuple[ConsumerQueue, ...]:
        return (self.customer, self.consent, self.tasks, self.mailer)

    def rpc_queue(self, service: str, *, declare: bool = True) -> RabbitQueue:
        return RabbitQueue(
            f"{self.namespace}.{service}.rpc",
            durable=True,
            arguments={"x-message-ttl": RPC_TTL_MS},
            declare=declare,
        )

    @property
    def rpc_services(self) -> tuple[str, ...]:
        """Services that answer queries."""
        return ("customer", "consent", "tasks", "pullers")

    def rpc_subscription(self, service: str) -> RabbitQueue:
        return self.rpc_queue(service, declare=False)

    def queue_names(self) -> list[str]:
        names = [f"{self.namespace}.{s}.rpc" for s in self.rpc_services]
        for consumer in self.consumers:
            names += [consumer.name, consumer.retry_name, consumer.dead_letter_name]
        return names


async def declare(broker: RabbitBroker, topology: Topology) -> None:
    """Declare the whole topology; safe to run from every service at every start."""
    exchanges: dict[str, Any] = {}
    for exchange in (topology.commands, topology.events, topology.dead_letters):
        exchanges[exchange.name] = await broker.declare_exchange(exchange)
    for consumer in topology.consumers:
        work = await broker.declare_queue(consumer.work_queue())
        for binding in consumer.bindings:
            await work.bind(exchanges[binding.exchange], routing_key=binding.pattern)
        await broker.declare_queue(consumer.retry_queue())
        parking = await broker.declare_queue(consumer.dead_letter_queue())
        await parking.bind(
            exchanges[topology.dead_letters.name], routing_key=consumer.dead_letter_name
        )
    for service in topology.rpc_services:
        await broker.declare_queue(topology.rpc_queue(service))

"""The one way anything enters the suite from ingest: a command, published and confirmed.

Every entry point (the canonical API, channel webhooks, pulled channel orders, privacy webhooks,
bulk imports) goes through `Intake.publish`, so "accepted only after RabbitMQ confirmed" holds
for all of them. A payload a channel adapter cannot map is refused as invalid input naming the
channel's own fields, and nothing is published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from services.ingest.domain.channels import amazon, shopify, shopify_privacy, woocommerce
from services.ingest.domain.channels.pulled import PULLED, PulledChannel
from services.ingest.domain.channels.reading import Unmappable
from services.ingest.domain.integrations import Integration
from services.ingest.domain.orders import channel_actor, upsert_command
from shared.contracts.envelope import Command
from shared.contracts.orders import CanonicalOrder, OrderStatus
from shared.errors import InvalidInput, field_error

T = TypeVar("T")


class Accepted(BaseModel):
    message_id: str
    status: str = "accepted"


class BrokerUnavailable(Exception):
    """Nothing was published: the channel (or the caller) must send it again."""


class Publisher(Protocol):
    async def publish(self, command: Command, *, what: str) -> None:
        """Returns once RabbitMQ confirmed the command; raises BrokerUnavailable otherwise
        (`what` names the command in the log)."""
        ...


class Intake:
    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    async def publish(self, command: Command, *, what: str) -> Accepted:
        """Publish `command` (`what` names it in the log); returns once RabbitMQ confirmed it."""
        await self._publisher.publish(command, what=what)
        return Accepted(message_id=command.message_id)

    async def integration_order(
        self, integration: Integration, order: CanonicalOrder, *, correlation_id: str | None
    ) -> Accepted:
        """A canonical order an integration posted: its own (else ForeignOrder), naming its
        buyer (else InvalidInput: it could only make a blank customer)."""
        integration.refuse_foreign(order)
        if not order.names_its_buyer:
            raise field_error(
                "buyer",
                "names nobody: an order needs an email, a channel account, a name, a "
                "company or an address",
            )
        return await self.order(order, correlation_id=correlation_id)

    async def order(self, order: CanonicalOrder, *, correlation_id: str | None) -> Accepted:
        """Publish the order's upsert command."""
        command = upsert_command(order, actor=channel_actor(order), correlation_id=correlation_id)
        return await self.publish(command, what=f"order {order.channel}:{order.order_id}")

    async def shopify_webhook(
        self, topic: str, payload: Any, *, shop: str, delivery: str, correlation_id: str | None
    ) -> Accepted:
        """An order webhook becomes the buyer's upsert; a privacy webhook a GDPR command, named
        by `delivery` (the event Shopify retries)."""
        if topic in shopify_privacy.PRIVACY_TOPICS:
            command = _mapped(
                lambda: shopify_privacy.privacy_command(
                    topic, payload, shop=shop, delivery=delivery, correlation_id=correlation_id
                ),
                f"Shopify {topic} request",
            )
            return await self.publish(command, what=f"Shopify {topic} of {shop}")
        order = _mapped(lambda: shopify.order_from_webhook(payload, shop=shop), "Shopify order")
        return await self.order(order, correlation_id=correlation_id)

    async def woocommerce_webhook(
        self,
        payload: Any,
        *,
        shop: str,
        consent_meta: Mapping[str, str],
        extra_statuses: Mapping[str, OrderStatus],
        correlation_id: str | None,
    ) -> Accepted:
        order = _mapped(
            lambda: woocommerce.order_from_webhook(
                payload, shop=shop, consent_meta=consent_meta, extra_statuses=extra_statuses
            ),
            "WooCommerce order",
        )
        return await self.order(order, correlation_id=correlation_id)

    async def pulled_order(
        self,
        integration: Integration,
        channel: PulledChannel,
        payload: Any,
        *,
        correlation_id: str | None,
    ) -> Accepted:
        """An order an integration pulled from the channel's API: it belongs to the
        integration's shop, and must be of its channel and (Amazon) of one of its marketplaces,
        else ForeignOrder."""
        integration.refuse_other_channel(channel)
        name, adapt = PULLED[channel]
        if channel == "amazon":
            marketplace = _mapped(lambda: amazon.marketplace_of(payload), f"{name} order")
            integration.refuse_foreign_marketplace(marketplace, field=amazon.MARKETPLACE_FIELD)
        order = _mapped(lambda: adapt(payload, shop=integration.shop), f"{name} order")
        return await self.order(order, correlation_id=correlation_id)


def _mapped(adapt: Callable[[], T], what: str) -> T:
    """What the adapter made of `what` (e.g. "Shopify order"), or a refusal naming the fields it
    could not map."""
    try:
        return adapt()
    except Unmappable as error:
        raise InvalidInput(error.errors, f"The {what} cannot be taken: {error}") from None

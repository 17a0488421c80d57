"""In-memory stand-ins for the pullers' ports: a channel, ingest and the integration store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.pullers.domain.orders import PulledOrder, Refusal
from services.pullers.domain.windows import Window
from services.pullers.settings import AdobeCommerceSettings, IntegrationSettings
from services.pullers.use_cases.ports import IngestUnavailable, ParkedOrder, Probe
from shared.contracts.integrations import IntegrationState, ParkedOrderView

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def integration(**overrides: Any) -> AdobeCommerceSettings:
    values: dict[str, Any] = {
        "name": "shop-ch",
        "channel": "adobe_commerce",
        "shop": "shop.example.ch",
        "ingest_key": "adobe-integration-key-0123456789a",
        "api_url": "https://shop.example.ch/rest/default",
        "access_token": "integration-token",
        "initial_lookback_days": 1,
        "overlap_s": 600,
        "max_window_s": 86_400,
    }
    return AdobeCommerceSettings.model_validate(values | overrides)


def order(order_id: str, minutes_ago: float) -> PulledOrder:
    at = NOW - timedelta(minutes=minutes_ago)
    return PulledOrder(order_id=order_id, updated_at=at, payload={"entity_id": order_id})


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeChannel:
    held: list[PulledOrder]
    settle: timedelta = timedelta(seconds=30)
    windows: list[Window] = field(default_factory=list)

    async def orders(self, window: Window) -> AsyncIterator[PulledOrder]:
        self.windows.append(window)
        for held in self.held:
            assert held.updated_at is not None
            if window.start <= held.updated_at <= window.end:
                yield held

    async def probe(self, since: datetime, until: datetime) -> Probe:
        times = [o.updated_at for o in self.held if o.updated_at and since <= o.updated_at]
        return Probe(orders_found=len(times), more=False, newest_update=max(times, default=None))


@dataclass
class FakeIngest:
    malformed: set[str] = field(default_factory=set)
    down: bool = False
    taken: list[str] = field(default_factory=list)

    async def hand_over(
        self, integration: IntegrationSettings, order: PulledOrder
    ) -> Refusal | None:
        if self.down:
            raise IngestUnavailable("ingest: HTTP 503 after 5 tries")
        if order.order_id in self.malformed:
            return Refusal(reason="state: 'on_the_moon' is not an Adobe Commerce order state")
        self.taken.append(order.order_id)
        return None


@dataclass
class FakeStore:
    watermarks: dict[str, datetime] = field(default_factory=dict)
    pulled: dict[str, int] = field(default_factory=dict)
    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    runs: list[tuple[str, str | None]] = field(default_factory=list)
    parked_orders: dict[tuple[str, str], ParkedOrder] = field(default_factory=dict)

    async def claim(self, name: str, *, owner: str, now: datetime, until: datetime) -> bool:
        holder = self.leases.get(name)
        if holder is not None and holder[0] != owner and holder[1] >= now:
            return False
        self.leases[name] = (owner, until)
        return True

    async def release(self, name: str, *, owner: str) -> None:
        if self.leases.get(name, ("", NOW))[0] == owner:
            del self.leases[name]

    async def watermark(self, name: str) -> datetime | None:
        return self.watermarks.get(name)

    async def advance(
        self, name: str, *, owner: str, watermark: datetime, handed_over: int
    ) -> bool:
        if self.leases.get(name, ("", NOW))[0] != owner:
            return False
        self.watermarks[name] = watermark
        self.pulled[name] = self.pulled.get(name, 0) + handed_over
        return True

    async def record_run(self, name: str, *, at: datetime, error: str | None) -> None:
        self.runs.append((name, error))

    async def park(self, name: str, order: PulledOrder, refusal: Refusal, *, at: datetime) -> None:
        earlier = self.parked_orders.get((name, order.order_id))
        self.parked_orders[(name, order.order_id)] = ParkedOrder(
            order=order,
            view=ParkedOrderView(
                order_id=order.order_id,
                updated_at=order.updated_at,
                reason=refusal.reason,
                errors=refusal.errors,
                parked_at=earlier.view.parked_at if earlier else at,
                attempts=earlier.view.attempts + 1 if earlier else 1,
            ),
        )

    async def unpark(self, name: str, order_id: str) -> None:
        self.parked_orders.pop((name, order_id), None)

    async def parked_ids(self, name: str) -> set[str]:
        return {order_id for (n, order_id) in self.parked_orders if n == name}

    async def parked(
        self, name: str, *, order_ids: tuple[str, ...] = (), limit: int = 100
    ) -> list[ParkedOrder]:
        return [
            p
            for (n, order_id), p in self.parked_orders.items()
            if n == name and (not order_ids or order_id in order_ids)
        ][:limit]

    async def state(
        self, integration: IntegrationSettings, *, parked_limit: int
    ) -> IntegrationState:
        raise NotImplementedError("the reporting tests run against the real store")

"""Amazon Selling Partner API, Orders v0: the orders of each marketplace, updated in a window.

Documented calls only: Login with Amazon (`POST <token_url>`, refresh-token grant) for the
access token; the Tokens API (`POST /tokens/2021-03-01/restrictedDataToken`) for a restricted
data token, which `getOrders` needs to include the buyer's data and shipping address;
`GET /orders/v0/orders` by `LastUpdatedAfter`/`LastUpdatedBefore` per marketplace, following
`NextToken`; `GET /orders/v0/orders/{orderId}/orderItems` for the items ingest reads. Each
operation is paced by the rate Amazon states in `x-amzn-RateLimit-Limit`.

Written on httpx rather than a client library: `python-amazon-sp-api` can be pointed at another
endpoint only through a duck-typed marketplace object and at another token URL only by
subclassing its token client, keeps access tokens in a process-wide cache that a 403 for an
expired token does not clear, reads credentials from configuration files and lets an environment
variable replace the marketplace; Amazon's `amzn-sp-api` takes both URLs but is synchronous
(urllib3/requests) and configures the root logger when imported.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from services.pullers.adapters.channels.calls import Retrying, error_text
from services.pullers.adapters.channels.tokens import TokenSource
from services.pullers.domain.orders import PulledOrder, moment, order_id_of
from services.pullers.domain.throttling import RateLimit
from services.pullers.domain.windows import Window
from services.pullers.settings import AmazonSettings
from services.pullers.use_cases.ports import ChannelRefusedAccess, ChannelUnavailable, Probe

ORDERS_PATH = "/orders/v0/orders"
RDT_PATH = "/tokens/2021-03-01/restrictedDataToken"
# Amazon refuses a LastUpdatedBefore later than two minutes before the request.
SETTLE = timedelta(minutes=2, seconds=10)
# Amazon's documented defaults (rate per second, burst); the header corrects the rate.
DEFAULT_LIMITS = {
    "getOrders": RateLimit(0.0167, 20),
    "getOrderItems": RateLimit(0.5, 30),
    "createRestrictedDataToken": RateLimit(1.0, 10),
}
# Pending orders carry neither buyer nor address yet (ingest refuses them); once Amazon releases
# them their LastUpdateDate moves and a later window pulls them.
STATUSES = (
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "InvoiceUnconfirmed",
    "Canceled",
    "Unfulfillable",
)
MAX_PAGE = 100


class _Pace:
    """A leaky bucket per operation, rebuilt when Amazon states another rate."""

    def __init__(self) -> None:
        self._limits = dict(DEFAULT_LIMITS)
        self._buckets = {op: self._bucket(limit) for op, limit in self._limits.items()}

    @staticmethod
    def _bucket(limit: RateLimit) -> AsyncLimiter:
        return AsyncLimiter(limit.burst, limit.burst / limit.per_second)

    async def wait(self, operation: str) -> None:
        await self._buckets[operation].acquire()

    def learn(self, operation: str, response: httpx.Response) -> None:
        limit = self._limits[operation]
        stated = limit.with_rate(response.headers.get("x-amzn-ratelimit-limit"))
        if stated != limit:
            self._limits[operation] = stated
            self._buckets[operation] = self._bucket(stated)

    def limit(self, operation: str) -> RateLimit:
        return self._limits[operation]


class AmazonOrders:
    settle = SETTLE

    def __init__(
        self,
        settings: AmazonSettings,
        http: httpx.AsyncClient,
        retrying: Retrying,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._http = http
        self._retrying = retrying
        self._base = settings.api_url.rstrip("/")
        self._pace = _Pace()
        self._access = TokenSource(self._login_with_amazon, clock)
        self._restricted = TokenSource(self._restricted_data_token, clock)

    @property
    def pace(self) -> _Pace:
        return self._pace

    async def orders(self, window: Window) -> AsyncIterator[PulledOrder]:
        for marketplace in self._settings.marketplace_ids:
            async for order in self._orders_of(marketplace, window):
                yield await self._with_items(order)

    async def probe(self, since: datetime, until: datetime) -> Probe:
        page = await self._get_orders(
            self._filter(self._settings.marketplace_ids, Window(since, until)), restricted=False
        )
        orders = page.get("Orders") or []
        times = [t for o in orders if (t := moment(o.get("LastUpdateDate"))) is not None]
        return Probe(
            orders_found=len(orders),
            more=bool(page.get("NextToken")),
            newest_update=max(times, default=None),
        )

    async def _orders_of(self, marketplace: str, window: Window) -> AsyncIterator[dict[str, Any]]:
        params = self._filter((marketplace,), window)
        while True:
            page = await self._get_orders(params, restricted=True)
            for order in page.get("Orders") or []:
                yield order
            next_token = page.get("NextToken")
            if not next_token:
                return
            # With a NextToken Amazon ignores the other filters but the marketplace.
            params = {"MarketplaceIds": marketplace, "NextToken": next_token}

    def _filter(self, marketplaces: tuple[str, ...], window: Window) -> dict[str, str]:
        return {
            "MarketplaceIds": ",".join(marketplaces),
            "LastUpdatedAfter": _iso(window.start),
            "LastUpdatedBefore": _iso(window.end),
            "OrderStatuses": ",".join(STATUSES),
            "MaxResultsPerPage": str(min(self._settings.page_size, MAX_PAGE)),
        }

    async def _get_orders(self, params: dict[str, str], *, restricted: bool) -> dict[str, Any]:
        body = await self._call(
            "getOrders", "GET", ORDERS_PATH, params=params, restricted=restricted
        )
        return _payload(body, "getOrders")

    async def _with_items(self, order: dict[str, Any]) -> PulledOrder:
        order_id = order_id_of(order.get("AmazonOrderId"), order)
        items: list[Any] = []
        params: dict[str, str] = {}
        while True:
            body = await self._call(
                "getOrderItems", "GET", f"{ORDERS_PATH}/{order_id}/orderItems", params=params
            )
            page = _payload(body, "getOrderItems")
            items += page.get("OrderItems") or []
            if not page.get("NextToken"):
                break
            params = {"NextToken": page["NextToken"]}
        return PulledOrder(
            order_id=order_id,
            updated_at=moment(order.get("LastUpdateDate")),
            payload={"Order": order, "OrderItems": items},
        )

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        restricted: bool = False,
    ) -> Any:
        """One operation; a token Amazon calls expired is renewed once."""
        for renewed in (False, True):
            token = await (self._restricted if restricted else self._access).get()

            async def send(token: str = token) -> httpx.Response:
                await self._pace.wait(operation)
                return await self._http.request(
                    method,
                    self._base + path,
                    params=params,
                    json=json,
                    headers={"x-amz-access-token": token, "accept": "application/json"},
                )

            response = await self._retrying.call(f"Amazon {operation}", send)
            self._pace.learn(operation, response)
            if response.status_code in (401, 403) and not renewed:
                self._access.forget()
                self._restricted.forget()
                continue
            if response.status_code in (401, 403):
                raise ChannelRefusedAccess(f"Amazon {operation}: {error_text(response)}")
            if response.status_code >= 400:
                raise ChannelUnavailable(f"Amazon {operation}: {error_text(response)}")
            return _json(response, operation)
        raise AssertionError("unreachable")

    async def _login_with_amazon(self) -> tuple[str, float]:
        s = self._settings
        response = await self._retrying.call(
            "Login with Amazon",
            lambda: self._http.post(
                s.token_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": s.refresh_token.get_secret_value(),
                    "client_id": s.client_id,
                    "client_secret": s.client_secret.get_secret_value(),
                },
            ),
        )
        if response.status_code >= 400:
            raise ChannelRefusedAccess(f"Login with Amazon: {error_text(response)}")
        body = _json(response, "Login with Amazon")
        return _text(body, "access_token"), float(body.get("expires_in") or 3600)

    async def _restricted_data_token(self) -> tuple[str, float]:
        body = await self._call(
            "createRestrictedDataToken",
            "POST",
            RDT_PATH,
            json={
                "restrictedResources": [
                    {
                        "method": "GET",
                        "path": ORDERS_PATH,
                        "dataElements": ["buyerInfo", "shippingAddress"],
                    }
                ]
            },
        )
        return _text(body, "restrictedDataToken"), float(body.get("expiresIn") or 3600)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise ChannelUnavailable(f"Amazon {what}: the answer is not JSON") from error


def _payload(body: Any, what: str) -> dict[str, Any]:
    payload = body.get("payload") if isinstance(body, dict) else None
    if not isinstance(payload, dict):
        raise ChannelUnavailable(f"Amazon {what}: the answer has no payload")
    return payload


def _text(body: Any, key: str) -> str:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise ChannelUnavailable(f"Amazon: the answer has no {key}")
    return value

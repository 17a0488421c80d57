"""eBay Sell Fulfillment API: `getOrders` filtered by `lastmodifieddate`, page by page.

OAuth as eBay documents it: `POST <token_url>` with the application's id and secret as Basic
credentials, the seller's refresh token (`grant_type=refresh_token`), or without one an
application token (`grant_type=client_credentials`). eBay answers an expired token with 401.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.pullers.adapters.channels.calls import Retrying, error_text
from services.pullers.adapters.channels.tokens import TokenSource
from services.pullers.domain.orders import PulledOrder, moment, order_id_of
from services.pullers.domain.paging import MAX_RESTARTS, OffsetPage, WindowShifted, first_page
from services.pullers.domain.windows import Window
from services.pullers.settings import EbaySettings
from services.pullers.use_cases.ports import ChannelRefusedAccess, ChannelUnavailable, Probe

ORDERS_PATH = "/sell/fulfillment/v1/order"
SETTLE = timedelta(seconds=30)


class EbayOrders:
    settle = SETTLE

    def __init__(
        self,
        settings: EbaySettings,
        http: httpx.AsyncClient,
        retrying: Retrying,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._http = http
        self._retrying = retrying
        self._base = settings.api_url.rstrip("/")
        self._token = TokenSource(self._oauth_token, clock)

    async def orders(self, window: Window) -> AsyncIterator[PulledOrder]:
        for restart in range(MAX_RESTARTS + 1):
            page: OffsetPage | None = first_page(self._settings.page_size)
            try:
                while page is not None:
                    body = await self._page(window, page)
                    orders = body.get("orders") or []
                    for order in orders:
                        yield PulledOrder(
                            order_id=order_id_of(order.get("orderId"), order),
                            updated_at=moment(order.get("lastModifiedDate")),
                            payload=order,
                        )
                    page = page.after(returned=len(orders), total=_total(body))
                return
            except WindowShifted as shifted:
                if restart == MAX_RESTARTS:
                    raise ChannelUnavailable(f"eBay getOrders: {shifted}, too often") from None

    async def probe(self, since: datetime, until: datetime) -> Probe:
        page = first_page(self._settings.page_size)
        body = await self._page(Window(since, until), page)
        orders = body.get("orders") or []
        times = [t for o in orders if (t := moment(o.get("lastModifiedDate"))) is not None]
        return Probe(
            orders_found=len(orders),
            more=_total(body) > len(orders),
            newest_update=max(times, default=None),
        )

    async def _page(self, window: Window, page: OffsetPage) -> dict[str, Any]:
        params = {
            "filter": f"lastmodifieddate:[{_iso(window.start)}..{_iso(window.end)}]",
            "limit": str(page.limit),
            "offset": str(page.offset),
        }
        for renewed in (False, True):
            headers = {
                "Authorization": f"Bearer {await self._token.get()}",
                "Accept": "application/json",
            }

            async def send(headers: dict[str, str] = headers) -> httpx.Response:
                return await self._http.get(
                    self._base + ORDERS_PATH, params=params, headers=headers
                )

            response = await self._retrying.call("eBay getOrders", send)
            if response.status_code == 401 and not renewed:
                self._token.forget()
                continue
            if response.status_code in (401, 403):
                raise ChannelRefusedAccess(f"eBay getOrders: {error_text(response)}")
            if response.status_code >= 400:
                raise ChannelUnavailable(f"eBay getOrders: {error_text(response)}")
            body = _json(response)
            if not isinstance(body, dict):
                raise ChannelUnavailable("eBay getOrders: the answer is not an object")
            return body
        raise AssertionError("unreachable")

    async def _oauth_token(self) -> tuple[str, float]:
        s = self._settings
        grant = (
            {"grant_type": "refresh_token", "refresh_token": s.refresh_token.get_secret_value()}
            if s.refresh_token is not None
            else {"grant_type": "client_credentials"}
        )
        response = await self._retrying.call(
            "eBay OAuth",
            lambda: self._http.post(
                s.token_url,
                data=grant | {"scope": s.scope},
                auth=(s.client_id, s.client_secret.get_secret_value()),
            ),
        )
        if response.status_code >= 400:
            raise ChannelRefusedAccess(f"eBay OAuth: {error_text(response)}")
        body = _json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ChannelUnavailable("eBay OAuth: the answer has no access_token")
        return token, float(body.get("expires_in") or 7200)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _total(body: dict[str, Any]) -> int:
    total = body.get("total")
    return total if isinstance(total, int) else len(body.get("orders") or [])


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise ChannelUnavailable("eBay: the answer is not JSON") from error

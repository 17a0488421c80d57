"""Adobe Commerce (Magento 2) REST: `GET /V1/orders` with `searchCriteria` on `updated_at`.

Orders are asked for oldest change first, page by page (`currentPage` counts from 1; asked for
a page past the end, Adobe Commerce answers with the last page again, so the total decides when
to stop). Times are UTC without an offset. Authentication: an integration's access token as a
bearer token, or an admin token from `POST /V1/integration/admin/token`, renewed when Adobe
Commerce answers 401 (admin tokens expire after a few hours).
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
from services.pullers.settings import AdobeCommerceSettings
from services.pullers.use_cases.ports import ChannelRefusedAccess, ChannelUnavailable, Probe

ORDERS_PATH = "/V1/orders"
SETTLE = timedelta(seconds=30)
# An integration token does not expire; it is kept for a day between reads of the setting.
INTEGRATION_TOKEN_LIFETIME_S = 86_400.0
# Adobe Commerce's default lifetime of an admin token.
ADMIN_TOKEN_LIFETIME_S = 4 * 3600.0


class AdobeCommerceOrders:
    settle = SETTLE

    def __init__(
        self,
        settings: AdobeCommerceSettings,
        http: httpx.AsyncClient,
        retrying: Retrying,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._http = http
        self._retrying = retrying
        self._base = settings.api_url.rstrip("/")
        self._token = TokenSource(self._bearer_token, clock)

    async def orders(self, window: Window) -> AsyncIterator[PulledOrder]:
        for restart in range(MAX_RESTARTS + 1):
            page: OffsetPage | None = first_page(self._settings.page_size)
            try:
                while page is not None:
                    body = await self._page(window, page)
                    items = body.get("items") or []
                    for order in items:
                        yield PulledOrder(
                            order_id=order_id_of(order.get("entity_id"), order),
                            updated_at=moment(order.get("updated_at") or order.get("created_at")),
                            payload=order,
                        )
                    page = page.after(returned=len(items), total=_total(body))
                return
            except WindowShifted as shifted:
                if restart == MAX_RESTARTS:
                    raise ChannelUnavailable(
                        f"Adobe Commerce orders: {shifted}, too often"
                    ) from None

    async def probe(self, since: datetime, until: datetime) -> Probe:
        body = await self._page(Window(since, until), first_page(self._settings.page_size))
        items = body.get("items") or []
        times = [t for o in items if (t := moment(o.get("updated_at"))) is not None]
        return Probe(
            orders_found=len(items),
            more=_total(body) > len(items),
            newest_update=max(times, default=None),
        )

    async def _page(self, window: Window, page: OffsetPage) -> dict[str, Any]:
        params = _search_criteria(window, page)
        for renewed in (False, True):
            headers = {
                "Authorization": f"Bearer {await self._token.get()}",
                "Accept": "application/json",
            }

            async def send(headers: dict[str, str] = headers) -> httpx.Response:
                return await self._http.get(
                    self._base + ORDERS_PATH, params=params, headers=headers
                )

            response = await self._retrying.call("Adobe Commerce orders", send)
            if response.status_code == 401 and not renewed and self._settings.username:
                self._token.forget()
                continue
            if response.status_code in (401, 403):
                raise ChannelRefusedAccess(f"Adobe Commerce orders: {error_text(response)}")
            if response.status_code >= 400:
                raise ChannelUnavailable(f"Adobe Commerce orders: {error_text(response)}")
            body = _json(response)
            if not isinstance(body, dict):
                raise ChannelUnavailable("Adobe Commerce orders: the answer is not an object")
            return body
        raise AssertionError("unreachable")

    async def _bearer_token(self) -> tuple[str, float]:
        s = self._settings
        if s.access_token is not None:
            return s.access_token.get_secret_value(), INTEGRATION_TOKEN_LIFETIME_S
        assert s.username is not None
        assert s.password is not None
        credentials = {"username": s.username, "password": s.password.get_secret_value()}
        response = await self._retrying.call(
            "Adobe Commerce admin token",
            lambda: self._http.post(s.admin_token_url, json=credentials),
        )
        if response.status_code >= 400:
            raise ChannelRefusedAccess(f"Adobe Commerce admin token: {error_text(response)}")
        token = _json(response)
        if not isinstance(token, str) or not token:
            raise ChannelUnavailable("Adobe Commerce admin token: the answer is not a token")
        return token, ADMIN_TOKEN_LIFETIME_S


def _search_criteria(window: Window, page: OffsetPage) -> dict[str, str]:
    criteria = "searchCriteria"
    params = {
        f"{criteria}[sortOrders][0][field]": "updated_at",
        f"{criteria}[sortOrders][0][direction]": "ASC",
        f"{criteria}[pageSize]": str(page.limit),
        f"{criteria}[currentPage]": str(page.number),
    }
    # Filter groups are combined with AND: updated_at within the window.
    for group, (condition, at) in enumerate((("gteq", window.start), ("lteq", window.end))):
        prefix = f"{criteria}[filter_groups][{group}][filters][0]"
        params |= {
            f"{prefix}[field]": "updated_at",
            f"{prefix}[value]": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            f"{prefix}[condition_type]": condition,
        }
    return params


def _total(body: dict[str, Any]) -> int:
    total = body.get("total_count")
    return total if isinstance(total, int) else len(body.get("items") or [])


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise ChannelUnavailable("Adobe Commerce: the answer is not JSON") from error

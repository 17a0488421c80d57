"""Local servers that answer like the channels' documented APIs, for the pullers to pull from.

Each keeps the orders it holds, issues tokens that the test can expire, and can throttle.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fixtures.channels import payload

AMAZON_CLIENT_ID = "amzn1.application-oa2-client.tests"
AMAZON_CLIENT_SECRET = "amzn1.oa2-cs.v1.tests-secret"
AMAZON_REFRESH_TOKEN = "Atzr|tests-refresh-token"
EBAY_CLIENT_ID = "Seller-Tests-PRD-0123456789"
EBAY_CLIENT_SECRET = "PRD-tests-client-secret"
EBAY_REFRESH_TOKEN = "v^1.1#i^1#tests-refresh"
ADOBE_USERNAME = "order-puller"
ADOBE_PASSWORD = "adobe-admin-password-for-tests"

_counter = itertools.count(1)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body, as the OAuth token endpoints take it."""
    return {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}


@dataclass
class Tokens:
    """Access tokens a channel issued and still honours."""

    prefix: str
    valid: set[str] = field(default_factory=set)
    issued: int = 0

    def issue(self) -> str:
        self.issued += 1
        token = f"{self.prefix}{next(_counter)}"
        self.valid.add(token)
        return token

    def expire_all(self) -> None:
        self.valid.clear()


# --- Amazon SP-API ------------------------------------------------------------------------------


def amazon_order(number: int, updated: datetime, *, email: str, name: str) -> dict[str, Any]:
    order: dict[str, Any] = copy.deepcopy(payload("amazon", "order_shipped"))
    order["Order"] |= {
        "AmazonOrderId": f"302-{number:07d}-6612345",
        "SellerOrderId": f"302-{number:07d}-6612345",
        "LastUpdateDate": _iso(updated),
    }
    order["Order"]["BuyerInfo"] |= {"BuyerEmail": email, "BuyerName": name}
    order["Order"]["ShippingAddress"]["Name"] = name
    return order


@dataclass
class FakeAmazon:
    orders: list[dict[str, Any]]
    # getOrders answers 429 this many times before it serves.
    throttle: int = 0
    rate_limit: str = "20.0"
    lwa: Tokens = field(default_factory=lambda: Tokens("Atza|"))
    restricted: Tokens = field(default_factory=lambda: Tokens("Atz.sprdt|"))
    calls: list[str] = field(default_factory=list)
    # Expire every token once this many getOrders pages were served.
    expire_after_pages: int | None = None
    pages_served: int = 0

    def app(self) -> FastAPI:  # noqa: C901 - a fake marketplace's routes are closures over its state
        app = FastAPI()

        @app.post("/auth/o2/token")
        async def token(request: Request) -> JSONResponse:
            form = await _form(request)
            if (form.get("grant_type"), form.get("refresh_token"), form.get("client_id")) != (
                "refresh_token",
                AMAZON_REFRESH_TOKEN,
                AMAZON_CLIENT_ID,
            ) or form.get("client_secret") != AMAZON_CLIENT_SECRET:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse(
                {"access_token": self.lwa.issue(), "token_type": "bearer", "expires_in": 3600}
            )

        @app.post("/tokens/2021-03-01/restrictedDataToken")
        async def restricted_data_token(request: Request) -> JSONResponse:
            self.calls.append("createRestrictedDataToken")
            if request.headers.get("x-amz-access-token") not in self.lwa.valid:
                return _amazon_expired()
            body = await request.json()
            [resource] = body["restrictedResources"]
            assert resource["path"] == "/orders/v0/orders"
            assert set(resource["dataElements"]) == {"buyerInfo", "shippingAddress"}
            return JSONResponse({"restrictedDataToken": self.restricted.issue(), "expiresIn": 3600})

        @app.get("/orders/v0/orders")
        async def get_orders(request: Request) -> JSONResponse:
            self.calls.append("getOrders")
            token = request.headers.get("x-amz-access-token")
            if token not in self.lwa.valid | self.restricted.valid:
                return _amazon_expired()
            if self.throttle > 0:
                self.throttle -= 1
                return JSONResponse(
                    {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
                    status_code=429,
                    headers={"x-amzn-RateLimit-Limit": self.rate_limit},
                )
            query = request.query_params
            if "NextToken" in query:
                state = json.loads(base64.b64decode(query["NextToken"]))
            else:
                state = {
                    "after": query["LastUpdatedAfter"],
                    "before": query["LastUpdatedBefore"],
                    "marketplaces": query["MarketplaceIds"].split(","),
                    "statuses": query["OrderStatuses"].split(","),
                    "size": int(query.get("MaxResultsPerPage", "100")),
                    "offset": 0,
                }
            found = [
                o["Order"]
                for o in self.orders
                if _parse(state["after"])
                <= _parse(o["Order"]["LastUpdateDate"])
                <= _parse(state["before"])
                and o["Order"]["MarketplaceId"] in state["marketplaces"]
                and o["Order"]["OrderStatus"] in state["statuses"]
            ]
            start, size = state["offset"], state["size"]
            page = [copy.deepcopy(o) for o in found[start : start + size]]
            if token not in self.restricted.valid:
                # Without a restricted data token Amazon leaves out the buyer's personal data.
                for order in page:
                    order.pop("BuyerInfo", None)
                    order.pop("ShippingAddress", None)
            result: dict[str, Any] = {"Orders": page, "LastUpdatedBefore": state["before"]}
            if start + size < len(found):
                following = state | {"offset": start + size}
                result["NextToken"] = base64.b64encode(json.dumps(following).encode()).decode()
            self.pages_served += 1
            if self.expire_after_pages == self.pages_served:
                self.lwa.expire_all()
                self.restricted.expire_all()
            return JSONResponse(
                {"payload": result}, headers={"x-amzn-RateLimit-Limit": self.rate_limit}
            )

        @app.get("/orders/v0/orders/{order_id}/orderItems")
        async def get_order_items(order_id: str, request: Request) -> JSONResponse:
            self.calls.append("getOrderItems")
            if request.headers.get("x-amz-access-token") not in self.lwa.valid:
                return _amazon_expired()
            [order] = [o for o in self.orders if o["Order"]["AmazonOrderId"] == order_id]
            return JSONResponse(
                {"payload": {"AmazonOrderId": order_id, "OrderItems": order["OrderItems"]}},
                headers={"x-amzn-RateLimit-Limit": "30.0"},
            )

        return app


def _amazon_expired() -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "code": "Unauthorized",
                    "message": "Access to requested resource is denied.",
                    "details": "The access token you provided has expired.",
                }
            ]
        },
        status_code=403,
    )


# --- eBay Fulfillment API -----------------------------------------------------------------------


def ebay_order(number: int, updated: datetime, *, username: str, email: str) -> dict[str, Any]:
    order: dict[str, Any] = copy.deepcopy(payload("ebay", "order_paid"))
    order |= {
        "orderId": f"12-{number:05d}-67890",
        "salesRecordReference": str(number),
        "lastModifiedDate": updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    order["buyer"]["username"] = username
    order["buyer"]["buyerRegistrationAddress"]["email"] = email
    return order


@dataclass
class FakeEbay:
    orders: list[dict[str, Any]]
    tokens: Tokens = field(default_factory=lambda: Tokens("v^1.1#i^1#access-"))
    # Expire every token once this many pages were served.
    expire_after_pages: int | None = None
    pages_served: int = 0
    rejected: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/identity/v1/oauth2/token")
        async def token(request: Request) -> JSONResponse:
            form = await _form(request)
            expected = base64.b64encode(f"{EBAY_CLIENT_ID}:{EBAY_CLIENT_SECRET}".encode()).decode()
            if (
                request.headers.get("authorization") != f"Basic {expected}"
                or form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != EBAY_REFRESH_TOKEN
                or "sell.fulfillment" not in str(form.get("scope"))
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse(
                {
                    "access_token": self.tokens.issue(),
                    "expires_in": 7200,
                    "token_type": "User Access Token",
                }
            )

        @app.get("/sell/fulfillment/v1/order")
        async def get_orders(request: Request) -> JSONResponse:
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self.tokens.valid:
                self.rejected += 1
                return JSONResponse(
                    {
                        "errors": [
                            {
                                "errorId": 1001,
                                "domain": "OAuth",
                                "category": "REQUEST",
                                "message": "Invalid access token",
                            }
                        ]
                    },
                    status_code=401,
                )
            query = request.query_params
            since, until = (
                query["filter"].removeprefix("lastmodifieddate:[").removesuffix("]").split("..")
            )
            found = [
                o
                for o in self.orders
                if _parse(since) <= _parse(o["lastModifiedDate"]) <= _parse(until)
            ]
            limit, offset = int(query.get("limit", "50")), int(query.get("offset", "0"))
            self.pages_served += 1
            if self.expire_after_pages == self.pages_served:
                self.tokens.expire_all()
            return JSONResponse(
                {
                    "href": str(request.url),
                    "total": len(found),
                    "limit": limit,
                    "offset": offset,
                    "orders": found[offset : offset + limit],
                    "warnings": [],
                }
            )

        return app


# --- Adobe Commerce REST ------------------------------------------------------------------------


def adobe_order(number: int, updated: datetime, *, email: str, **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = copy.deepcopy(payload("adobe_commerce", "order_registered"))
    order |= {
        "entity_id": number,
        "increment_id": f"{number:09d}",
        "customer_id": number + 5000,
        "customer_email": email,
        "updated_at": updated.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    } | changes
    return order


@dataclass
class FakeAdobeCommerce:
    orders: list[dict[str, Any]]
    tokens: Tokens = field(default_factory=lambda: Tokens("adobe-admin-token-"))
    logins: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/rest/default/V1/integration/admin/token")
        async def admin_token(request: Request) -> JSONResponse:
            body = await request.json()
            if body != {"username": ADOBE_USERNAME, "password": ADOBE_PASSWORD}:
                return JSONResponse(
                    {"message": "The account sign-in was incorrect or your account is disabled"},
                    status_code=401,
                )
            self.logins += 1
            return JSONResponse(self.tokens.issue())

        @app.get("/rest/default/V1/orders")
        async def orders(request: Request) -> JSONResponse:
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self.tokens.valid:
                return JSONResponse(
                    {
                        "message": "The consumer isn't authorized to access %resources.",
                        "parameters": {"resources": "Magento_Sales::actions_view"},
                    },
                    status_code=401,
                )
            query = request.query_params
            found = list(self.orders)
            for group in (0, 1):
                prefix = f"searchCriteria[filter_groups][{group}][filters][0]"
                if query.get(f"{prefix}[field]") != "updated_at":
                    continue
                bound = _parse(query[f"{prefix}[value]"])
                condition = query[f"{prefix}[condition_type]"]
                found = [
                    o
                    for o in found
                    if (_parse(o["updated_at"]) >= bound if condition == "gteq" else True)
                    and (_parse(o["updated_at"]) <= bound if condition == "lteq" else True)
                ]
            assert query["searchCriteria[sortOrders][0][field]"] == "updated_at"
            found.sort(key=lambda o: o["updated_at"])
            size = int(query["searchCriteria[pageSize]"])
            pages = max(1, -(-len(found) // size))
            # Past the last page, Adobe Commerce answers with the last page again.
            current = min(int(query["searchCriteria[currentPage]"]), pages)
            return JSONResponse(
                {
                    "items": found[(current - 1) * size : current * size],
                    "search_criteria": {"page_size": size, "current_page": current},
                    "total_count": len(found),
                }
            )

        return app

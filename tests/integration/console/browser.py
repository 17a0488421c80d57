"""What the console's browser tests stand on: Debian's Chromium driven by Playwright (which
cannot download browsers here); the suite as processes, as `make run` starts them, or the
gateway of an in-process suite served over HTTP on a free port; and the checks every main page
must pass in the browser (one round trip, no horizontal scroll on a tablet)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, Request

from tests.support.access import ADMIN_HEADERS
from tests.support.processes import service, tail, wait_ready
from tools.embedded_mongo import free_port, free_ports

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The suite's processes: ingest too, though the console's flows do not import (the gateway
# finds its services as in production). The mailer and the pullers are left out.
SUITE = ("customer", "consent", "tasks", "ingest", "gateway")
STATIC = "/console/static/"


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app (already started by the suite: no second lifespan) at an http:// base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@dataclass(frozen=True)
class SuiteProcesses:
    url: str
    api: httpx.AsyncClient
    logs: Path
    started_in_s: float

    def log_tail(self, service_name: str) -> str:
        return tail(self.logs / f"{service_name}.log")


@contextlib.asynccontextmanager
async def suite_as_processes(env: Mapping[str, str], logs: Path) -> AsyncIterator[SuiteProcesses]:
    """Each service of `SUITE` its own process (`python -m services.<name>`) on a free port,
    with the namespace's settings in `env`; stopped (their process groups killed) at the end."""
    await asyncio.to_thread(logs.mkdir, parents=True, exist_ok=True)
    ports = dict(zip(SUITE, free_ports(len(SUITE)), strict=True))
    base = (
        dict(os.environ)
        | dict(env)
        | {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
        | {"GATEWAY_INGEST_URL": f"http://127.0.0.1:{ports['ingest']}"}
    )
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        running = {
            name: stack.enter_context(service(name, env=base, log=logs / f"{name}.log"))
            for name in SUITE
        }
        await asyncio.gather(
            *(
                asyncio.to_thread(
                    wait_ready, ports[name], process=p.popen, log=logs / f"{name}.log"
                )
                for name, p in running.items()
            )
        )
        url = f"http://127.0.0.1:{ports['gateway']}"
        async with httpx.AsyncClient(base_url=url, headers=ADMIN_HEADERS, timeout=15) as api:
            yield SuiteProcesses(url, api, logs, time.monotonic() - began)


@dataclass(frozen=True)
class PageLoad:
    """One page as the browser fetched it."""

    url: str
    # From the start of navigation to the end of the page's HTML, and to its load event.
    html_ms: float
    load_ms: float
    requests: tuple[str, ...]


async def load_in_one_round_trip(page: Page, url: str) -> PageLoad:
    """Open `url` and check it is one round trip to the gateway: the HTML, then nothing but
    the console's own assets (no fetch or XHR to an API, nothing from another host)."""
    asked: list[Request] = []

    def record(request: Request) -> None:
        asked.append(request)

    page.on("request", record)
    try:
        answer = await page.goto(url, wait_until="load")
    finally:
        page.remove_listener("request", record)
    assert answer is not None, url
    assert answer.ok, f"{url}: {answer.status}"
    origin = urlsplit(page.url).netloc
    documents = [r for r in asked if r.resource_type == "document"]
    assert len(documents) == 1, [r.url for r in documents]
    for request in asked:
        if request.resource_type == "document":
            continue
        where = urlsplit(request.url)
        assert where.netloc == origin, f"{url} asked another host: {request.url}"
        assert where.path.startswith(STATIC), f"{url} asked more than assets: {request.url}"
        assert request.resource_type not in ("fetch", "xhr"), request.url
    timing = await page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.responseEnd - n.startTime, n.loadEventEnd - n.startTime]; }"
    )
    return PageLoad(url, timing[0], timing[1], tuple(r.url for r in asked))


async def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
    overflow: int = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


async def signed_in(
    browser: Browser, url: str, key: str, *, width: int = 1280, height: int = 900
) -> Page:
    """A new browser context of that size, signed in to the console with `key`."""
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    await page.goto(f"{url}/console/customers")
    assert "/console/sign-in" in page.url, "an anonymous browser is sent to sign in"
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/console/customers$"))
    return page

"""The console's fixtures. In this process: `console_suite` (customer, consent, tasks and the
gateway) and `browser`, a client asking the console like a browser does (cookies kept). As
processes, started as `make run` starts them: `suite_processes`, the suite a real browser
(`chromium`) is pointed at; `shots` is where screenshots are kept as artifacts."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import Namespace, Suite, suite_of
from tests.integration.console.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SuiteProcesses,
    served,
    signed_in,
    suite_as_processes,
)
from tests.support.access import BOOTSTRAP_KEY


@pytest.fixture
async def console_suite(namespace: Namespace) -> AsyncIterator[Suite]:
    async with suite_of(namespace, ("customer", "consent", "tasks", "gateway")) as running:
        yield running


@pytest.fixture
async def browser(console_suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    app = console_suite.apps["gateway"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client


@pytest.fixture
async def console_url(console_suite: Suite) -> AsyncIterator[str]:
    """The in-process suite's gateway over HTTP, for a real browser."""
    async with served(console_suite.apps["gateway"]) as url:
        yield url


@pytest.fixture
async def suite_processes(namespace: Namespace, tmp_path: Path) -> AsyncIterator[SuiteProcesses]:
    """Customer, consent, tasks, ingest and the gateway, each its own process on a free port,
    in the test's namespace; `.url` is the gateway, `.api` an admin client of its API."""
    async with suite_as_processes(namespace.env(), tmp_path / "logs") as running:
        yield running


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: $CONSOLE_SCREENSHOTS (CI keeps it), else a temporary one."""
    directory = Path(os.environ.get("CONSOLE_SCREENSHOTS", tmp_path / "screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (CI installs it)")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def admin_page(chromium: Browser, console_url: str) -> tuple[Page, str]:
    """An admin signed in to the in-process suite's console in Chromium, at 1280 px; and the
    console's URL."""
    return await signed_in(chromium, console_url, BOOTSTRAP_KEY), console_url

"""`python -m tools.access` works on the gateway's database with the gateway stopped; what it
makes holds at the gateway like what the API makes."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.conftest import Namespace, create_app, running
from tools import access


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = await asyncio.to_thread(access.main, list(args))
    return status, capsys.readouterr().out


async def test_keys_and_roles_from_the_command_line(
    namespace: Namespace, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = await cli(capsys, "roles", "list")
    assert status == 0
    assert "supporter:" in out
    assert "masked  bank" in out

    status, out = await cli(
        capsys, "roles", "set", "auditor", "--reads", "customers,history", "--actions", "export"
    )
    assert status == 0
    assert "auditor:" in out
    status, out = await cli(capsys, "keys", "create", "--name", "audit desk", "--role", "auditor")
    assert status == 0
    key = out.split()[-1]
    key_id = re.search(r"key ([0-9a-f]{16})", out).group(1)  # type: ignore[union-attr]
    assert key.startswith(f"crm_{key_id}_")
    assert (await cli(capsys, "keys", "create", "--name", "x", "--role", "wizard"))[0] == 1

    app = create_app("gateway")
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as http,
    ):
        listed = await http.get("/v1/api-keys", headers={"X-API-Key": key})
        assert listed.status_code == 403  # an auditor does not manage access
        status, out = await cli(capsys, "keys", "list")
        assert f"{key_id}  active" in out
        assert key.split("_", 2)[2] not in out
        assert (await cli(capsys, "keys", "revoke", key_id))[0] == 0
        assert (await http.get("/v1/roles", headers={"X-API-Key": key})).status_code == 401
    status, out = await cli(capsys, "keys", "list")
    assert f"{key_id}  revoked" in out

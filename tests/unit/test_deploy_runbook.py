"""The runbook's recipes compute what the code computes: an operator can trust them.

The commands are taken from docs/runbook.md as written and run in a shell.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime

from services.consent.domain.pseudonyms import pseudonym
from services.ingest.domain.orders import order_message_id
from tests.support.orders import order
from tests.unit.test_deployment import ROOT

RUNBOOK = (ROOT / "docs" / "runbook.md").read_text()


def command_with(marker: str) -> str:
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", RUNBOOK, re.DOTALL) if marker in b]
    return str(block)


def run(command: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, check=True, env=env, timeout=30
    )
    return done.stdout.strip()


def test_the_message_id_of_an_order_is_the_one_ingest_gives_it() -> None:
    command = command_with("uuid.uuid5")
    channel, shop, order_id, updated = command.split()[-4:]
    given = order(channel=channel, shop=shop, order_id=order_id).model_copy(
        update={"updated_at": datetime.fromisoformat(updated)}
    )
    assert run(command) == order_message_id(given)


def test_the_pseudonym_of_an_erased_address_is_the_one_consent_wrote() -> None:
    command = command_with("hmac-sha256")
    key = "a-pseudonym-key-of-this-deployment"
    email = command.split()[-1]
    assert run(command, env={**os.environ, "CONSENT_PSEUDONYM_KEY": key}) == (
        pseudonym(key.encode(), email=email, customer_id="ignored")
    )

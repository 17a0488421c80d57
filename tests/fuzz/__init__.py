"""schemathesis against the suite's HTTP services: generated requests, every check on.

`run` is the one way the tests start it: the same seed, example budget and phases from the
environment (`make fuzz` raises them), against a service's live OpenAPI document. FUZZ_REPORT
names a file for the whole report (pytest shows its end).

The document is read here and handed to schemathesis as a file: its own loader gives up after
10 s, which a loaded machine exceeded once (the gateway builds its document on first request),
and each generated request may take up to REQUEST_TIMEOUT_S for the same reason."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import httpx

SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing")
REQUEST_TIMEOUT_S = 60


def examples(default: int) -> int:
    """Examples per operation: FUZZ_EXAMPLES when set, else the test's own small budget."""
    return int(os.environ.get("FUZZ_EXAMPLES", str(default)))


async def run(url: str, config: Path, *, max_examples: int) -> str:
    """Run schemathesis with every check against `url`'s document; its report, asserted clean."""
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as http:
        answer = await http.get(f"{url}/openapi.json")
    answer.raise_for_status()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as directory:
        document = Path(directory) / "openapi.json"
        document.write_bytes(answer.content)
        return await _run(url, document, config, max_examples=max_examples)


async def _run(url: str, document: Path, config: Path, *, max_examples: int) -> str:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "--config-file",
        str(config),
        "run",
        str(document),
        "--url",
        url,
        "--request-timeout",
        str(REQUEST_TIMEOUT_S),
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--phases",
        PHASES,
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=os.environ | {"PYTHONPATH": str(Path.cwd())},
    )
    output, _ = await process.communicate()
    report = output.decode(errors="replace")
    if os.environ.get("FUZZ_REPORT"):
        # The whole report, where pytest's output keeps only its end.
        await asyncio.to_thread(Path(os.environ["FUZZ_REPORT"]).write_text, report)
    print(report[-6000:])
    assert process.returncode == 0, report[-20000:]
    return report

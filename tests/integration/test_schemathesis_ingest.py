"""schemathesis against ingest's OpenAPI document, ingest running against the real broker and
database: every check on (no 5xx, no status or content type the document does not state, no
valid request refused, invalid ones refused...), a fixed seed and a bounded number of examples
per operation. `make fuzz` runs the same with many more examples (FUZZ_EXAMPLES, FUZZ_SEED)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import Namespace, suite_of
from tests.fuzz import ingest as fuzz_ingest
from tests.integration.ingest.channels import configure_channels
from tests.integration.ingest.serving import served

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
# The stateful phase (sequences of calls) only in the long run: ingest's operations lead nowhere
# but to an import's job.
PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing")


async def test_ingest_answers_generated_requests_as_its_document_says(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configure_channels(monkeypatch)
    config = tmp_path / "schemathesis.toml"
    config.write_text(fuzz_ingest.config())
    async with (
        suite_of(namespace, ("ingest",)) as suite,
        served(suite.apps["ingest"]) as url,
    ):
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--no-color",
            "--config-file",
            str(config),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(EXAMPLES),
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
    print(report[-6000:])
    assert process.returncode == 0, report[-20000:]

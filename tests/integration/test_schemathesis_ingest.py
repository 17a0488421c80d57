"""schemathesis against ingest's OpenAPI document, ingest running against the real broker and
database: every check on (no 5xx, no status or content type the document does not state, no
valid request refused, invalid ones refused...), a fixed seed and a bounded number of examples
per operation. `make fuzz` runs the same with many more examples (FUZZ_EXAMPLES, FUZZ_SEED)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import fuzz
from tests.conftest import Namespace, suite_of
from tests.fuzz import ingest as fuzz_ingest
from tests.integration.ingest.channels import configure_channels
from tests.integration.ingest.serving import served

# The stateful phase (sequences of calls) only in the long run (FUZZ_PHASES): ingest's
# operations lead nowhere but to an import's job.
EXAMPLES = fuzz.examples(12)


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
        await fuzz.run(url, config, max_examples=EXAMPLES)

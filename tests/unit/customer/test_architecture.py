"""The customer service's layout and the rules that live in one place, checked in its source."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import services.customer

SERVICE = Path(services.customer.__file__).parent
LAYERS = {"domain", "use_cases", "adapters", "entrypoints"}


def sources(*folders: str) -> Iterator[Path]:
    for folder in folders or ("",):
        yield from sorted((SERVICE / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_every_module_is_in_one_of_the_four_folders_or_is_the_composition_root() -> None:
    top = {p.name for p in SERVICE.glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "main.py", "settings.py"}
    folders = {p.name for p in SERVICE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == LAYERS


def test_only_adapters_and_the_composition_root_know_the_database() -> None:
    for path in sources("domain", "use_cases", "entrypoints"):
        database = {m for m in imported(path) if m.split(".")[0] in ("pymongo", "bson")}
        assert not database, f"{path.relative_to(SERVICE)} imports {database}"
        adapters = {m for m in imported(path) if m.startswith("services.customer.adapters")}
        assert not adapters, f"{path.relative_to(SERVICE)} imports {adapters}"


def test_an_activity_is_made_and_written_in_one_place() -> None:
    made_or_written = re.compile(r"(?<!class )\bActivity\(|history\.add\(")
    writers = {
        str(path.relative_to(SERVICE))
        for path in sources("domain", "use_cases", "entrypoints")
        if made_or_written.search(path.read_text())
    }
    assert writers == {"use_cases/changes.py"}


def test_the_time_comes_from_the_injected_clock() -> None:
    readers = {
        str(path.relative_to(SERVICE))
        for path in sources()
        for call in ("datetime.now(", "date.today(", "time.time(", "utc_now")
        if call in path.read_text()
    }
    assert readers == {"main.py"}

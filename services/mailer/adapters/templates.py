"""Mail templates in files: `templates/<kind>/<language>.{subject.txt,txt,html}` (Jinja2).

HTML is escaped, plain text is not; an unknown variable is an error, not an empty string.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PARTS = ("subject.txt", "txt", "html")


class JinjaTemplates:
    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._directory = directory
        self._environment = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._environment.filters["date"] = _date

    def languages(self, kind: str) -> frozenset[str]:
        """Languages in which every part of `kind` exists."""
        folder = self._directory / kind
        found = {p.name.split(".")[0] for p in folder.glob("*.*")}
        return frozenset(
            lang for lang in found if all((folder / f"{lang}.{part}").exists() for part in PARTS)
        )

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
        subject, text, html = (
            self._environment.get_template(f"{kind}/{language}.{part}").render(context)
            for part in PARTS
        )
        return " ".join(subject.split()), text, html


def _date(moment: datetime, language: str) -> str:
    """A time as people of `language` write it (UTC, which the mail says)."""
    if language == "de":
        return moment.strftime("%d.%m.%Y, %H:%M UTC")
    return moment.strftime("%d %b %Y, %H:%M UTC")

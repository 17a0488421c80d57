"""HTML pages the gateway serves to people (not apps): Jinja2 templates in
`templates/<page>/<language>.html`, escaped, with no asset from the internet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class Pages:
    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._directory = directory
        self._environment = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",)),
            undefined=StrictUndefined,
        )

    def languages(self, page: str) -> frozenset[str]:
        """The languages `page` is written in (`layout.html` is the frame, not a language)."""
        return frozenset(
            p.stem for p in (self._directory / page).glob("*.html") if p.stem != "layout"
        )

    def render(self, page: str, language: str, **context: Any) -> str:
        template = self._environment.get_template(f"{page}/{language}.html")
        return template.render(language=language, **context)

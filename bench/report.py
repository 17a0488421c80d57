"""Printing benchmark figures with their ratios to the baseline measured in the same run."""

from __future__ import annotations

import platform
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    what: str
    value: float
    unit: str
    baseline: Figure | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline.value if self.baseline and self.baseline.value else None


def print_report(figures: list[Figure], *, orders: int, database: str) -> None:
    print(f"\n{orders} orders per measurement; database: {database}; {platform.python_version()}")
    width = max(len(f.what) for f in figures)
    for figure in figures:
        line = f"  {figure.what:<{width}}  {figure.value:9.1f} {figure.unit:<9}"
        if figure.ratio is not None and figure.baseline is not None:
            line += f"  = {figure.ratio:6.1%} of {figure.baseline.what}"
        print(line)

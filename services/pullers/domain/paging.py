"""Reading a window page by page without skipping an order.

Amazon pages with a server-side token; eBay and Adobe Commerce with an offset into a result
that can change while it is read. When an order of the window is updated meanwhile, it leaves
the window (its new update time is past the window's end), everything behind it moves one place
forward, and the order that moved onto the page already read would be skipped. The total the
channel reports falls when that happens: the window is then read again from the start.
"""

from __future__ import annotations

from dataclasses import dataclass

# A window whose total keeps falling is being changed faster than it can be read: give up for
# now and read it at the next pull rather than loop.
MAX_RESTARTS = 3


class WindowShifted(Exception):
    """Orders left the window while it was read: read it again from the start."""


@dataclass(frozen=True)
class OffsetPage:
    offset: int
    limit: int
    # What the channel reported as the window's total on the first page of this reading.
    total: int | None = None

    @property
    def number(self) -> int:
        """The page's number counted from 1 (Adobe Commerce's `currentPage`)."""
        return self.offset // self.limit + 1

    def after(self, *, returned: int, total: int) -> OffsetPage | None:
        """The next page, or None when this was the last one.

        Raises `WindowShifted` when the total fell since the first page.
        """
        if self.total is not None and total < self.total:
            raise WindowShifted(f"the window held {self.total} orders, now {total}")
        known = self.total if self.total is not None else total
        following = self.offset + self.limit
        if returned == 0 or following >= total:
            return None
        return OffsetPage(offset=following, limit=self.limit, total=known)


def first_page(limit: int) -> OffsetPage:
    return OffsetPage(offset=0, limit=limit)

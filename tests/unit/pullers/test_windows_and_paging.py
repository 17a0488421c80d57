"""Windows, watermarks, paging and throttling: the pullers' pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.pullers.domain.paging import OffsetPage, WindowShifted, first_page
from services.pullers.domain.throttling import RateLimit, backoff_s
from services.pullers.domain.windows import Polling, Window, advanced, first_pulled, next_window

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POLLING = Polling(
    overlap=timedelta(minutes=10),
    max_span=timedelta(hours=6),
    initial_lookback=timedelta(days=1),
    settle=timedelta(minutes=2),
)


def test_the_first_pull_starts_a_lookback_ago_without_overlap_and_one_span_long() -> None:
    window = next_window(None, NOW, POLLING)
    assert window == Window(start=NOW - timedelta(days=1), end=NOW - timedelta(hours=18))


def test_later_pulls_read_the_overlap_again_and_end_before_the_channel_settled() -> None:
    watermark = NOW - timedelta(hours=1)
    window = next_window(watermark, NOW, POLLING)
    assert window == Window(start=watermark - timedelta(minutes=10), end=NOW - timedelta(minutes=2))


def test_a_catch_up_goes_window_by_window_until_up_to_date() -> None:
    watermark: datetime | None = None
    ends = []
    while (window := next_window(watermark, NOW, POLLING)) is not None:
        watermark = advanced(watermark, window)
        ends.append(window.end)
    assert len(ends) == 4
    assert ends[-1] == NOW - timedelta(minutes=2)
    assert ends == sorted(ends)


def test_an_up_to_date_integration_has_nothing_to_read() -> None:
    assert next_window(NOW - timedelta(minutes=2), NOW, POLLING) is None
    assert next_window(NOW, NOW, POLLING) is None


def test_the_watermark_never_moves_back() -> None:
    old = Window(start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=2))
    assert advanced(NOW - timedelta(hours=1), old) == NOW - timedelta(hours=1)
    assert advanced(None, old) == old.end


def test_an_order_read_again_in_the_overlap_is_not_counted_twice() -> None:
    watermark = NOW - timedelta(hours=1)
    assert not first_pulled(watermark - timedelta(minutes=5), watermark)
    assert first_pulled(watermark + timedelta(seconds=1), watermark)
    assert first_pulled(None, watermark)
    assert first_pulled(watermark, None)


def test_offset_pages_follow_the_total_and_stop_after_the_last() -> None:
    page: OffsetPage | None = first_page(2)
    numbers = []
    while page is not None:
        numbers.append(page.number)
        page = page.after(returned=2 if page.offset < 4 else 1, total=5)
    assert numbers == [1, 2, 3]


def test_a_window_that_lost_orders_while_read_is_read_again() -> None:
    second = first_page(2).after(returned=2, total=5)
    assert second == OffsetPage(offset=2, limit=2, total=5)
    with pytest.raises(WindowShifted):
        second.after(returned=2, total=4)
    # A grown total only means an order is read twice, which is harmless.
    assert second.after(returned=2, total=6) == OffsetPage(offset=4, limit=2, total=5)


def test_an_empty_page_ends_the_reading() -> None:
    assert first_page(50).after(returned=0, total=120) is None


def test_amazon_states_the_rate_and_the_burst_stays() -> None:
    limit = RateLimit(per_second=0.0167, burst=20)
    assert limit.with_rate("0.5") == RateLimit(0.5, 20)
    assert limit.with_rate(None) is limit
    assert limit.with_rate("not a number") is limit
    assert limit.with_rate("0") is limit


def test_backoff_doubles_and_obeys_retry_after_within_a_cap() -> None:
    assert [backoff_s(n, base_s=1.0) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert backoff_s(1, base_s=1.0, retry_after="7") == 7.0
    assert backoff_s(1, base_s=1.0, retry_after="3600") == 60.0
    assert backoff_s(10, base_s=1.0) == 60.0

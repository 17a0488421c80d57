"""Pulling an integration with in-memory ports: watermark, parking, leases, replay."""

from __future__ import annotations

from datetime import timedelta

from services.pullers.use_cases.parked import ReplayParked
from services.pullers.use_cases.pulling import PullOrders
from tests.unit.pullers.fakes import (
    NOW,
    Clock,
    FakeChannel,
    FakeIngest,
    FakeStore,
    integration,
    order,
)

SHOP = integration()


def pulling(store: FakeStore, ingest: FakeIngest, owner: str = "replica-a") -> PullOrders:
    return PullOrders(
        store=store, ingest=ingest, clock=Clock(), owner=owner, lease=timedelta(minutes=2)
    )


async def test_a_malformed_order_is_parked_with_its_reason_and_the_others_go_on() -> None:
    store, ingest = FakeStore(), FakeIngest(malformed={"1002"})
    channel = FakeChannel([order("1001", 90), order("1002", 60), order("1003", 30)])

    report = await pulling(store, ingest).pull(SHOP, channel)

    assert report is not None
    assert (report.handed_over, report.parked, report.error) == (2, 1, None)
    assert ingest.taken == ["1001", "1003"]
    assert store.watermarks["shop-ch"] == NOW - channel.settle
    assert store.pulled["shop-ch"] == 2
    [parked] = store.parked_orders.values()
    assert parked.view.order_id == "1002"
    assert "on_the_moon" in parked.view.reason
    assert store.runs == [("shop-ch", None)]
    assert store.leases == {}, "the lease is given back after the pull"


async def test_when_ingest_is_down_the_watermark_stays_and_the_next_pull_takes_it_all() -> None:
    store, ingest = FakeStore(), FakeIngest(down=True)
    channel = FakeChannel([order("1001", 90), order("1002", 60)])

    report = await pulling(store, ingest).pull(SHOP, channel)

    assert report is not None
    assert "HTTP 503" in (report.error or "")
    assert "shop-ch" not in store.watermarks
    assert store.runs[-1] == ("shop-ch", report.error)

    ingest.down = False
    await pulling(store, ingest).pull(SHOP, channel)
    assert ingest.taken == ["1001", "1002"]
    assert store.runs[-1] == ("shop-ch", None)


async def test_a_second_pull_reads_the_overlap_again_but_counts_nothing_twice() -> None:
    store, ingest = FakeStore(), FakeIngest()
    channel = FakeChannel([order("1001", 5)])
    await pulling(store, ingest).pull(SHOP, channel)
    first_watermark = store.watermarks["shop-ch"]

    clock = Clock(NOW + timedelta(minutes=5))
    later = PullOrders(
        store=store, ingest=ingest, clock=clock, owner="replica-a", lease=timedelta(minutes=2)
    )
    await later.pull(SHOP, channel)

    assert channel.windows[-1].start == first_watermark - timedelta(minutes=10)
    # Handed over again (the same message at ingest), but pulled once.
    assert ingest.taken == ["1001", "1001"]
    assert store.pulled["shop-ch"] == 1


async def test_only_the_replica_holding_the_lease_pulls() -> None:
    store, ingest = FakeStore(), FakeIngest()
    store.leases["shop-ch"] = ("replica-b", NOW + timedelta(minutes=1))
    channel = FakeChannel([order("1001", 30)])

    assert await pulling(store, ingest).pull(SHOP, channel) is None
    assert ingest.taken == []
    assert channel.windows == []

    # An expired lease is taken over.
    store.leases["shop-ch"] = ("replica-b", NOW - timedelta(seconds=1))
    assert await pulling(store, ingest).pull(SHOP, channel) is not None
    assert ingest.taken == ["1001"]


async def test_a_later_state_of_a_parked_order_that_is_taken_unparks_it() -> None:
    store, ingest = FakeStore(), FakeIngest(malformed={"1002"})
    await pulling(store, ingest).pull(SHOP, FakeChannel([order("1002", 60)]))
    assert store.parked_orders

    ingest.malformed.clear()
    clock = Clock(NOW + timedelta(minutes=30))
    later = PullOrders(
        store=store, ingest=ingest, clock=clock, owner="replica-a", lease=timedelta(minutes=2)
    )
    await later.pull(SHOP, FakeChannel([order("1002", 1)]))
    assert store.parked_orders == {}


async def test_replaying_hands_parked_orders_over_and_keeps_what_is_still_refused() -> None:
    store, ingest = FakeStore(), FakeIngest(malformed={"1001", "1002"})
    await pulling(store, ingest).pull(SHOP, FakeChannel([order("1001", 60), order("1002", 50)]))
    ingest.malformed = {"1002"}

    outcome = await ReplayParked(store, ingest, clock=Clock()).replay(SHOP)

    assert (outcome.accepted, outcome.still_parked) == (("1001",), ("1002",))
    [still] = store.parked_orders.values()
    assert (still.view.order_id, still.view.attempts) == ("1002", 2)

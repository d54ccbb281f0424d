"""Checkout through the services: quote, offset, earning, caps, idempotent commit."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable

import pytest

from pos_app.errors import Conflict, InsufficientPoints, InvalidInput, StaleQuote
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout, quote_checkout
from pos_app.services.doctor import check_books
from pos_app.services.members import view_member
from tests.conftest import QUIET_DAY, Counter, at


def test_seed_example_200_yuan_bill_with_2000_points_pays_180(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 2000 - 50)  # 50 from the sign-up bonus
    assert view_member(c.db, m.id, now=c.now).balance == 2000
    result = c.sell(m.id, [CartLine("daily", 20000)], offset=2000)
    q = result.quote
    assert (q.offset_points, q.offset_fen, q.total_due_fen) == (2000, 2000, 18000)
    # daily goods earn 3 points per yuan on the 180 yuan paid with money only
    assert q.earn_points == 540
    assert result.balance == 540
    assert check_books(c.db) == []


def test_quote_writes_nothing(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    before = c.counts()
    quote_checkout(c.db, member_id=m.id, lines=[CartLine("daily", 1000)], now=c.now)
    assert c.counts() == before


def test_offset_max_respects_share_step_and_balance(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 99_950)  # 100,000 points
    quote = quote_checkout(
        c.db, member_id=m.id, lines=[CartLine("daily", 12345)], offset_points="max", now=c.now
    )
    # at most half of 123.45 yuan = 61.72 yuan -> 6172 points, in steps of 100 -> 6100
    assert quote.offset is not None and quote.offset.max_points == 6100
    assert (quote.offset_points, quote.offset_fen, quote.total_due_fen) == (6100, 6100, 6245)


def test_offset_above_the_balance_is_refused_and_nothing_written(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    before = c.counts()
    with pytest.raises(InsufficientPoints):
        c.sell(m.id, [CartLine("daily", 20000)], offset=2000)
    assert c.counts() == before


def test_offset_is_spread_over_lines_and_line_points_add_up(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 4950)
    lines = [CartLine("daily", 3333, 3), CartLine("electronics", 10001), CartLine("fresh", 77)]
    q = c.sell(m.id, lines, offset=3000).quote
    assert sum(ql.offset_fen for ql in q.lines) == q.offset_fen == 3000
    assert sum(ql.offset_points for ql in q.lines) == 3000
    assert sum(ql.points for ql in q.lines) == q.earn_points
    exact = sum((ql.amount_fen - ql.offset_fen) * ql.rate for ql in q.lines) / 100
    assert q.earn_points == int(exact)  # floored once per sale


def test_double_points_only_on_campaign_days(counter_factory: Callable[..., Counter]) -> None:
    c = counter_factory("supermarket", now=at(2026, 9, 30, 12))
    m = c.register()
    line = [CartLine("fresh", 10000)]
    before = c.sell(m.id, line, now=at(2026, 9, 30, 23, 59)).quote
    during = c.sell(m.id, line, now=at(2026, 10, 1, 0, 0)).quote
    after = c.sell(m.id, line, now=at(2026, 10, 8, 0, 0)).quote
    assert (before.earn_points, during.earn_points, after.earn_points) == (100, 200, 100)
    assert during.campaigns == ("national-day-2026",)


def test_daily_cap_counts_earlier_sales_the_same_business_day(supermarket: Counter) -> None:
    c = supermarket  # per_member_per_day = 100000, per_sale = 50000
    m = c.register()
    first = c.sell(m.id, [CartLine("electronics", 2_000_000)])  # 100,000 -> 50,000
    assert (first.quote.earn_uncapped, first.quote.earn_points) == (100_000, 50_000)
    assert first.quote.capped_by == "per_sale"
    c.sell(m.id, [CartLine("electronics", 1_000_000)])
    third = c.sell(m.id, [CartLine("electronics", 1_000_000)])
    assert (third.quote.earn_points, third.quote.capped_by) == (0, "per_member_per_day")
    next_day = c.sell(m.id, [CartLine("daily", 1000)], now=at(2026, 3, 3, 10))
    assert next_day.quote.earn_points == 30


def test_retried_commit_with_the_same_sale_id_moves_no_point_twice(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 950)
    sale_id = str(uuid.uuid4())
    args = dict(
        actor=c.cashier,
        sale_id=sale_id,
        member_id=m.id,
        lines=[CartLine("daily", 10000)],
        offset_points=1000,
        payments=[PaymentInput("cash", 9000)],
        now=c.now,
    )
    first = commit_checkout(c.db, **args)  # type: ignore[arg-type]
    before = c.counts()
    second = commit_checkout(c.db, **args)  # type: ignore[arg-type]
    assert c.counts() == before
    assert second.replayed and not first.replayed
    assert second.receipt_no == first.receipt_no
    assert second.balance == first.balance == 270
    assert second.quote.earn_points == first.quote.earn_points == 270


def test_stale_quote_is_refused_and_nothing_written(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    before = c.counts()
    with pytest.raises(StaleQuote):
        commit_checkout(
            c.db,
            actor=c.cashier,
            sale_id=str(uuid.uuid4()),
            member_id=m.id,
            lines=[CartLine("daily", 1000)],
            payments=[PaymentInput("cash", 1000)],
            now=c.now,
            expected_total_fen=999,
        )
    assert c.counts() == before


def test_split_payment_and_change(supermarket: Counter) -> None:
    c = supermarket
    result = commit_checkout(
        c.db,
        actor=c.cashier,
        sale_id=str(uuid.uuid4()),
        member_id=None,
        lines=[CartLine("daily", 5000, 2)],
        payments=[PaymentInput("wechat", 6000), PaymentInput("cash", 4000, 5000)],
        now=c.now,
    )
    assert result.change_fen == 1000
    conn = sqlite3.connect(c.db.path)
    rows = conn.execute(
        "SELECT method, amount_fen, tendered_fen, change_fen FROM payments ORDER BY id"
    ).fetchall()
    conn.close()
    assert rows == [("wechat", 6000, 6000, 0), ("cash", 4000, 5000, 1000)]


def test_payments_must_add_up(supermarket: Counter) -> None:
    c = supermarket
    with pytest.raises(InvalidInput) as err:
        commit_checkout(
            c.db,
            actor=c.cashier,
            sale_id=str(uuid.uuid4()),
            member_id=None,
            lines=[CartLine("daily", 5000)],
            payments=[PaymentInput("cash", 4999)],
            now=c.now,
        )
    assert err.value.field == "payments"


def test_sale_without_member_earns_nothing_but_is_reported(supermarket: Counter) -> None:
    c = supermarket
    before = c.counts()
    result = c.sell(None, [CartLine("daily", 5000)])
    after = c.counts()
    assert result.quote.earn_points == 0 and result.balance is None
    assert after["ledger_entries"] == before["ledger_entries"]
    assert after["outbox_events"] == before["outbox_events"] + 1


def test_every_sale_writes_one_outbox_event_with_its_entries(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 950)
    result = c.sell(m.id, [CartLine("daily", 10000)], offset=1000)
    conn = sqlite3.connect(c.db.path)
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox_events ORDER BY seq")]
    row = conn.execute("SELECT type, payload FROM outbox_events ORDER BY seq DESC").fetchone()
    conn.close()
    assert seqs == list(range(1, len(seqs) + 1))
    assert row[0] == "sale.completed"
    payload = json.loads(row[1])
    assert payload["sale"]["receipt_no"] == result.receipt_no
    assert [(e["kind"], e["points"]) for e in payload["entries"]] == [
        ("offset", -1000),
        ("earn", 270),
    ]


def test_tier_upgrade_bonus_is_granted_once(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    first = c.sell(m.id, [CartLine("tobacco", 499_999)])
    assert first.tier_change is None
    second = c.sell(m.id, [CartLine("tobacco", 1)])  # 5,000.00 yuan in total -> silver
    assert second.tier_change is not None
    assert (second.tier_change.new_tier, second.tier_change.bonus_points) == ("silver", 5000)
    third = c.sell(m.id, [CartLine("tobacco", 100)])
    assert third.tier_change is None
    assert view_member(c.db, m.id, now=c.now).balance == 50 + 5000


def test_jumping_two_tiers_grants_both_bonuses(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    result = c.sell(m.id, [CartLine("tobacco", 1_000_000)])
    assert result.tier_change is not None
    assert result.tier_change.new_tier == "gold"
    assert result.tier_change.bonus_points == 5000 + 10000


def test_hotel_tier_rates_apply_after_upgrade(hotel: Counter) -> None:
    c = hotel
    m = c.register()
    # a Friday: the weekday room campaign (Mon-Thu) does not apply
    friday = at(2026, 3, 6, 12)
    normal = c.sell(m.id, [CartLine("room", 500_000)], now=friday)
    assert normal.quote.earn_points == 500  # 5,000 yuan at 1 point per 10 yuan
    assert normal.tier_change is not None and normal.tier_change.new_tier == "silver"
    silver = c.sell(m.id, [CartLine("room", 48_000)], now=friday)
    assert silver.quote.earn_points == 60  # 480 yuan at 1 per 8


def test_counter_keeps_working_on_quiet_day_defaults(supermarket: Counter) -> None:
    assert supermarket.now == QUIET_DAY


def test_two_counters_cannot_spend_the_same_points(supermarket: Counter) -> None:
    """Two tills race to use all of one member's points: one wins, nothing is overspent."""
    c = supermarket
    m = c.register()
    c.give(m.id, 4950)  # 5,000 points
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def till() -> None:
        barrier.wait()
        try:
            outcomes.append(c.sell(m.id, [CartLine("daily", 10_000)], offset=5000))
        except InsufficientPoints as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=till) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["InsufficientPoints", "SaleResult"]
    assert c.balance(m.id) == 150  # 50 yuan paid with money earn 150 at 3 per yuan
    assert check_books(c.db) == []


def test_the_same_sale_id_for_a_different_cart_is_refused(supermarket: Counter) -> None:
    c = supermarket
    sale_id = str(uuid.uuid4())
    commit_checkout(
        c.db,
        actor=c.cashier,
        sale_id=sale_id,
        member_id=None,
        lines=[CartLine("daily", 1000)],
        payments=[PaymentInput("cash", 1000)],
        now=c.now,
    )
    before = c.counts()
    with pytest.raises(Conflict):
        commit_checkout(
            c.db,
            actor=c.cashier,
            sale_id=sale_id,
            member_id=None,
            lines=[CartLine("daily", 2000)],
            payments=[PaymentInput("cash", 2000)],
            now=c.now,
        )
    assert c.counts() == before

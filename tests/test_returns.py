"""Returns by receipt number: money and points back pro rata, spent points by policy."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from pos_app.errors import ApprovalRequired, InvalidInput, NotFound
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import check_books
from pos_app.services.returns import ReturnItem, commit_return, quote_return
from tests.conftest import Counter


def do_return(c: Counter, receipt_no: str, items: list[ReturnItem]) -> int:
    result = commit_return(
        c.db, actor=c.cashier, receipt_no=receipt_no, items=items, approver=c.manager, now=c.now
    )
    assert result.balance is not None
    return result.balance


def test_full_return_restores_the_balance_exactly(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 4950)
    start = c.balance(m.id)
    sale = c.sell(m.id, [CartLine("daily", 3333, 3), CartLine("electronics", 10001)], offset=3000)
    assert c.balance(m.id) == start - 3000 + sale.quote.earn_points
    quote = quote_return(
        c.db, receipt_no=sale.receipt_no, items=[ReturnItem(1, 3), ReturnItem(2, 1)], now=c.now
    )
    assert quote.refund_fen == sale.quote.total_due_fen
    assert quote.points_restored == 3000
    assert quote.points_reversed == sale.quote.earn_points
    assert do_return(c, sale.receipt_no, [ReturnItem(1, 3), ReturnItem(2, 1)]) == start
    assert check_books(c.db) == []


def test_partial_returns_add_up_to_a_full_return(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 9950)
    start = c.balance(m.id)
    sale = c.sell(m.id, [CartLine("daily", 1001, 7)], offset=3500)
    refunds = reversed_ = restored = 0
    for qty in (1, 2, 3, 1):
        q = quote_return(c.db, receipt_no=sale.receipt_no, items=[ReturnItem(1, qty)], now=c.now)
        refunds += q.refund_fen
        reversed_ += q.points_reversed
        restored += q.points_restored
        do_return(c, sale.receipt_no, [ReturnItem(1, qty)])
    assert refunds == sale.quote.total_due_fen
    assert reversed_ == sale.quote.earn_points
    assert restored == 3500
    assert c.balance(m.id) == start
    with pytest.raises(InvalidInput, match="only 0 left"):
        quote_return(c.db, receipt_no=sale.receipt_no, items=[ReturnItem(1, 1)], now=c.now)


def test_partial_return_never_leaves_more_points_than_the_kept_goods_earn(
    supermarket: Counter,
) -> None:
    c = supermarket
    m = c.register()
    sale = c.sell(m.id, [CartLine("daily", 1590, 2)])  # 31.80 yuan -> 95 points
    assert sale.quote.earn_points == 95
    q = quote_return(c.db, receipt_no=sale.receipt_no, items=[ReturnItem(1, 1)], now=c.now)
    # the kept detergent earns floor(47.5) = 47, so 48 come back
    assert (q.points_reversed, q.refund_fen) == (48, 1590)


def test_spent_points_go_negative_and_later_earnings_repay(supermarket: Counter) -> None:
    c = supermarket  # returns.spent_points = allow_negative
    m = c.register()
    sale = c.sell(m.id, [CartLine("electronics", 100_000)])  # +5000
    c.sell(m.id, [CartLine("daily", 20_000)], offset="max")  # spends 5000 of 5050
    assert c.balance(m.id) == 50 + 5000 - 5000 + 450
    after = do_return(c, sale.receipt_no, [ReturnItem(1, 1)])
    assert after == 500 - 5000
    assert check_books(c.db) == []  # lots hold nothing while the balance is negative
    c.sell(m.id, [CartLine("electronics", 200_000)])  # +10000, of which 4500 repay the debt
    assert c.balance(m.id) == -4500 + 10_000
    assert check_books(c.db) == []


def test_require_cash_charges_spent_points_and_never_goes_negative(hotel: Counter) -> None:
    c = hotel  # returns.spent_points = require_cash, manager approval on every return
    m = c.register()  # +200 sign-up
    friday = c.now + dt.timedelta(days=4)  # outside the Monday-Thursday room campaign
    sale = c.sell(m.id, [CartLine("restaurant", 100_000)], now=friday)  # 1,000 yuan: +100
    c.give(m.id, 1700)  # 2000 in all
    c.sell(m.id, [CartLine("restaurant", 100_000)], offset=2000, now=friday)
    assert c.balance(m.id) == 98  # 980 yuan paid with money earn 98
    q = quote_return(c.db, receipt_no=sale.receipt_no, items=[ReturnItem(1, 1)], now=friday)
    assert (q.points_reversed, q.points_short) == (98, 2)
    assert q.cash_for_points_fen == 2  # 2 points at 100 points per yuan
    assert q.net_refund_fen == 100_000 - 2
    result = commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=sale.receipt_no,
        items=[ReturnItem(1, 1)],
        approver=c.manager,
        now=friday,
    )
    assert result.balance == 0
    assert check_books(c.db) == []


def test_return_needs_a_manager_above_the_threshold(supermarket: Counter) -> None:
    c = supermarket  # refunds over 200 yuan need a manager
    small = c.sell(None, [CartLine("daily", 20_000)])
    big = c.sell(None, [CartLine("daily", 20_001)])
    commit_return(
        c.db, actor=c.cashier, receipt_no=small.receipt_no, items=[ReturnItem(1, 1)], now=c.now
    )
    with pytest.raises(ApprovalRequired):
        commit_return(
            c.db, actor=c.cashier, receipt_no=big.receipt_no, items=[ReturnItem(1, 1)], now=c.now
        )


def test_old_sales_cannot_be_returned(supermarket: Counter) -> None:
    c = supermarket  # max_days = 30
    sale = c.sell(None, [CartLine("daily", 1000)])
    with pytest.raises(InvalidInput, match="older than 30 days"):
        quote_return(
            c.db,
            receipt_no=sale.receipt_no,
            items=[ReturnItem(1, 1)],
            now=c.now + dt.timedelta(days=30, seconds=1),
        )


def test_unknown_receipt_is_not_found(supermarket: Counter) -> None:
    with pytest.raises(NotFound):
        quote_return(
            supermarket.db,
            receipt_no="S01-D1-999999",
            items=[ReturnItem(1, 1)],
            now=supermarket.now,
        )


def test_receipt_number_is_case_and_space_tolerant(supermarket: Counter) -> None:
    c = supermarket
    sale = c.sell(None, [CartLine("daily", 1000)])
    q = quote_return(
        c.db, receipt_no=f"  {sale.receipt_no.lower()} ", items=[ReturnItem(1, 1)], now=c.now
    )
    assert q.refund_fen == 1000


def test_return_writes_one_outbox_event(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    sale = c.sell(m.id, [CartLine("daily", 1000)])
    do_return(c, sale.receipt_no, [ReturnItem(1, 1)])
    conn = sqlite3.connect(c.db.path)
    types = [r[0] for r in conn.execute("SELECT type FROM outbox_events ORDER BY seq")]
    conn.close()
    assert types == ["member.registered", "sale.completed", "return.completed"]

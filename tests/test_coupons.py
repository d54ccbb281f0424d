"""Coupons from gift redemptions, applied on a later checkout and used exactly once."""

from __future__ import annotations

import datetime as dt
import uuid
from importlib import resources

import pytest

from pos_app.errors import Conflict, InvalidInput
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout, quote_checkout
from pos_app.services.doctor import check_books
from pos_app.services.gifts import import_catalogue, redeem_gift
from pos_app.services.returns import ReturnItem, commit_return
from tests.conftest import Counter


def coupon_for(c: Counter, member_id: str) -> str:
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(c.db, actor=c.manager, text=text, now=c.now)
    c.give(member_id, 1500)
    redemption = redeem_gift(
        c.db, actor=c.cashier, member_id=member_id, gift_code="coupon-30-100", now=c.now
    )
    assert redemption.issued_code is not None
    return redemption.issued_code


def pay(
    c: Counter,
    member_id: str | None,
    lines: list[CartLine],
    coupon: str | None,
    sale_id: str | None = None,
    now: dt.datetime | None = None,
) -> object:
    when = now or c.now
    quote = quote_checkout(c.db, member_id=member_id, lines=lines, now=when, coupon_code=coupon)
    return commit_checkout(
        c.db,
        actor=c.cashier,
        sale_id=sale_id or str(uuid.uuid4()),
        member_id=member_id,
        lines=lines,
        coupon_code=coupon,
        payments=[PaymentInput("cash", quote.total_due_fen)],
        now=when,
        expected_total_fen=quote.total_due_fen,
    )


def test_coupon_takes_30_off_100_and_its_part_earns_nothing(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    code = coupon_for(c, m.id)
    lines = [CartLine("daily", 6000), CartLine("daily", 6000)]
    quote = quote_checkout(c.db, member_id=m.id, lines=lines, now=c.now, coupon_code=code)
    assert (quote.coupon_fen, quote.total_due_fen) == (3000, 9000)
    assert [ql.coupon_fen for ql in quote.lines] == [1500, 1500]
    assert quote.earn_points == 270  # 90 yuan paid at 3 points per yuan
    pay(c, m.id, lines, code)
    with c.sql() as conn:
        status, sale = conn.execute(
            "SELECT status, used_sale_id FROM coupons WHERE code = ?", (code,)
        ).fetchone()
        coupon_fen = conn.execute("SELECT coupon_fen FROM sales WHERE id = ?", (sale,)).fetchone()[
            0
        ]
    assert (status, coupon_fen) == ("used", 3000)
    assert check_books(c.db) == []


def test_a_coupon_is_used_exactly_once(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    code = coupon_for(c, m.id)
    pay(c, m.id, [CartLine("daily", 10000)], code)
    before = c.counts()
    with pytest.raises(Conflict, match="already used"):
        pay(c, m.id, [CartLine("daily", 10000)], code)
    assert c.counts() == before


def test_retried_sale_with_a_coupon_is_a_replay_not_a_second_use(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    code = coupon_for(c, m.id)
    sale_id = str(uuid.uuid4())
    first = pay(c, m.id, [CartLine("daily", 10000)], code, sale_id=sale_id)
    again = commit_checkout(
        c.db,
        actor=c.cashier,
        sale_id=sale_id,
        member_id=m.id,
        lines=[CartLine("daily", 10000)],
        coupon_code=code,
        payments=[PaymentInput("cash", 7000)],
        now=c.now,
    )
    assert again.replayed and again.receipt_no == first.receipt_no  # type: ignore[attr-defined]
    assert again.quote.coupon_fen == 3000


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("below minimum", "at least 100.00"),
        ("other member", "belongs to another member"),
        ("expired", "has expired"),
        ("unknown", "no coupon"),
        ("no member", "issued to"),
    ],
)
def test_coupon_refusals_write_nothing(supermarket: Counter, case: str, message: str) -> None:
    c = supermarket
    m = c.register()
    other = c.register(name="李四", phone="13900001111")
    code = coupon_for(c, m.id)
    member_id, lines, now = m.id, [CartLine("daily", 10000)], c.now
    if case == "below minimum":
        lines = [CartLine("daily", 9999)]
    elif case == "other member":
        member_id = other.id
    elif case == "expired":
        now = c.now + dt.timedelta(days=30)
    elif case == "unknown":
        code = "NOSUCHCOUPON"
    elif case == "no member":
        member_id = None  # type: ignore[assignment]
    before = c.counts()
    with pytest.raises((InvalidInput, Exception), match=message):
        quote_checkout(c.db, member_id=member_id, lines=lines, now=now, coupon_code=code)
    with pytest.raises((InvalidInput, Exception), match=message):
        commit_checkout(
            c.db,
            actor=c.cashier,
            sale_id=str(uuid.uuid4()),
            member_id=member_id,
            lines=lines,
            coupon_code=code,
            payments=[PaymentInput("cash", 7000)],
            now=now,
        )
    assert c.counts() == before


def test_returning_a_coupon_sale_refunds_only_the_money_paid(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    code = coupon_for(c, m.id)
    start = c.balance(m.id)
    sale = pay(c, m.id, [CartLine("daily", 5000, 2)], code)
    result = commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=sale.receipt_no,  # type: ignore[attr-defined]
        items=[ReturnItem(1, 2)],
        approver=c.manager,
        now=c.now,
    )
    assert result.quote.refund_fen == 7000  # 100 yuan less the 30-yuan coupon
    assert c.balance(m.id) == start
    assert check_books(c.db) == []

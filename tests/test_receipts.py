"""Receipt data rebuilt from the database by number: the figures the sale committed."""

from __future__ import annotations

import datetime as dt
import uuid
from importlib import resources

import pytest

from pos_app.errors import InvalidInput, NotFound
from pos_app.services.checkout import (
    CartLine,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.gifts import cancel_redemption, import_catalogue, redeem_gift
from pos_app.services.receipts import (
    MAX_NUMBER_LENGTH,
    ReceiptPayment,
    any_receipt,
    balance_slip,
    gift_receipt,
    return_receipt,
    sale_receipt,
)
from pos_app.services.returns import ReturnItem, commit_return
from tests.conftest import QUIET_DAY, SHANGHAI, Counter, at

SUPERMARKET_GIFTS = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")


def cash_sale(
    c: Counter,
    member_id: str | None,
    lines: list[CartLine],
    *,
    tendered: int,
    offset: int = 0,
    coupon: str | None = None,
    now: dt.datetime | None = None,
) -> SaleResult:
    when = now or c.now
    quote = quote_checkout(
        c.db,
        member_id=member_id,
        lines=lines,
        offset_points=offset,
        now=when,
        coupon_code=coupon,
    )
    return commit_checkout(
        c.db,
        actor=c.cashier,
        sale_id=str(uuid.uuid4()),
        member_id=member_id,
        lines=lines,
        offset_points=offset,
        payments=[PaymentInput("cash", quote.total_due_fen, tendered)],
        coupon_code=coupon,
        now=when,
    )


def sale_row(c: Counter, receipt_no: str) -> tuple[int, ...]:
    with c.sql() as conn:
        return conn.execute(
            "SELECT subtotal_fen, offset_points, offset_fen, total_fen, earned_points, "
            "coupon_fen FROM sales WHERE receipt_no = ?",
            (receipt_no,),
        ).fetchone()


# Sales ---------------------------------------------------------------------------------------
def test_member_sale_with_offset_and_cash_matches_the_sale(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 4950)  # 5,000 with the sign-up bonus
    lines = [
        CartLine("daily", 3333, 3, description="洗衣液 3kg 装"),
        CartLine("electronics", 10001),
    ]
    sale = cash_sale(c, m.id, lines, offset=3000, tendered=20000)
    r = sale_receipt(c.db, sale.receipt_no, c.now)
    q = sale.quote
    assert (r.kind, r.number) == ("sale", sale.receipt_no)
    assert (r.store_name, r.store_code, r.device_code) == ("测试门店", "S01", "D1")
    assert r.cashier == "收银员 (1)"
    assert r.at == sale.created_at and r.at.utcoffset() == dt.timedelta(hours=8)
    # the figures the sale committed, in the row and in the result
    subtotal, offset_points, offset_fen, total, earned, coupon_fen = sale_row(c, sale.receipt_no)
    assert (r.subtotal_fen, r.offset_fen, r.total_fen, r.coupon_fen) == (
        subtotal,
        offset_fen,
        total,
        coupon_fen,
    )
    assert (r.subtotal_fen, r.offset_fen, r.total_fen) == (20000, 3000, 17000)
    assert (q.subtotal_fen, q.offset_fen, q.total_due_fen) == (20000, 3000, 17000)
    assert r.payments == (ReceiptPayment("cash", 17000, 20000, 3000),)
    assert r.payments[0].change_fen == sale.change_fen == 3000
    assert r.cash_paid
    # a line rung up by category has no description; the layout prints the category's name
    assert [
        (x.description, x.category, x.qty, x.unit_price_fen, x.amount_fen) for x in r.lines
    ] == [
        ("洗衣液 3kg 装", "daily", 3, 3333, 9999),
        ("", "electronics", 1, 10001, 10001),
    ]
    assert r.member is not None
    assert (r.member.masked_name, r.member.masked_phone) == ("张*", "138****5678")
    assert (r.member.tier_name, r.member.tier_name_en) == ("普通会员", "Member")
    assert r.member.earned == earned == q.earn_points == 680
    assert (r.member.offset_points, r.member.offset_fen) == (offset_points, offset_fen)
    assert (r.member.offset_points, r.member.offset_fen) == (3000, 3000)
    assert r.member.balance == sale.balance == 5000 - 3000 + 680
    assert (r.member.reversed_points, r.member.restored_points) == (0, 0)
    assert r.original_number is None and r.gifts == ()


def test_a_later_sale_does_not_change_an_earlier_receipt(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    first = c.sell(m.id, [CartLine("general", 10000)])
    assert first.balance == 150
    c.sell(m.id, [CartLine("general", 20000)], now=at(2026, 3, 2, 11))
    assert c.balance(m.id) == 350
    reprint = sale_receipt(c.db, first.receipt_no, at(2026, 3, 3, 9))
    assert reprint.member is not None and reprint.member.balance == 150
    assert reprint.total_fen == 10000


def test_a_sale_that_earned_nothing_keeps_its_balance_on_reprint(supermarket: Counter) -> None:
    """No ledger entry of its own: the receipt shows the balance as it was at that sale."""
    c = supermarket
    m = c.register()
    tobacco = c.sell(m.id, [CartLine("tobacco", 2500)])  # tobacco earns nothing
    assert (tobacco.quote.earn_points, tobacco.balance) == (0, 50)
    c.sell(m.id, [CartLine("general", 10000)], now=at(2026, 3, 2, 11))
    assert c.balance(m.id) == 150
    reprint = sale_receipt(c.db, tobacco.receipt_no, at(2026, 3, 2, 12))
    assert reprint.member is not None
    assert (reprint.member.earned, reprint.member.balance) == (0, 50)


def test_non_member_sale_has_no_member_block(supermarket: Counter) -> None:
    c = supermarket
    sale = cash_sale(c, None, [CartLine("general", 1234, 2)], tendered=5000)
    r = sale_receipt(c.db, sale.receipt_no, c.now)
    assert r.member is None
    assert (r.subtotal_fen, r.total_fen, r.offset_fen) == (2468, 2468, 0)
    assert r.payments == (ReceiptPayment("cash", 2468, 5000, 2532),)


def test_a_card_payment_does_not_open_the_drawer(supermarket: Counter) -> None:
    c = supermarket
    sale = c.sell(None, [CartLine("general", 1000)], method="card")
    r = sale_receipt(c.db, sale.receipt_no, c.now)
    assert r.payments == (ReceiptPayment("card", 1000, 1000, 0),)
    assert not r.cash_paid


def test_coupon_sale_shows_the_coupon(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    import_catalogue(c.db, actor=c.manager, text=SUPERMARKET_GIFTS, now=c.now)
    c.give(m.id, 1500)
    code = redeem_gift(
        c.db, actor=c.cashier, member_id=m.id, gift_code="coupon-30-100", now=c.now
    ).issued_code
    assert code is not None
    sale = cash_sale(c, m.id, [CartLine("daily", 12000)], coupon=code, tendered=9000)
    r = sale_receipt(c.db, sale.receipt_no, c.now)
    assert (r.coupon_code, r.coupon_fen) == (code, 3000)
    assert (r.subtotal_fen, r.total_fen) == (12000, 9000)
    assert sale_row(c, sale.receipt_no)[5] == 3000
    assert r.member is not None and r.member.earned == sale.quote.earn_points == 270


# Returns -------------------------------------------------------------------------------------
def test_partial_return_receipt(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 9950)
    sale = c.sell(m.id, [CartLine("daily", 1001, 7, description="牛奶"), CartLine("fresh", 500)])
    ret = commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=sale.receipt_no,
        items=[ReturnItem(1, 3)],
        approver=c.manager,
        now=at(2026, 3, 2, 15),
    )
    r = return_receipt(c.db, ret.return_no, at(2026, 3, 2, 16))
    assert (r.kind, r.number, r.original_number) == ("return", ret.return_no, sale.receipt_no)
    assert r.refund_fen == ret.quote.refund_fen == 3003
    assert [(x.description, x.qty, x.unit_price_fen, x.amount_fen) for x in r.lines] == [
        ("牛奶", 3, 1001, 3003)
    ]
    assert r.at == at(2026, 3, 2, 15)
    assert r.member is not None
    assert r.member.reversed_points == ret.quote.points_reversed > 0
    assert r.member.restored_points == ret.quote.points_restored == 0
    assert r.member.balance == ret.balance
    assert r.payments == () and not r.cash_paid


def test_return_of_an_offset_sale_restores_points(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 9950)
    sale = c.sell(m.id, [CartLine("daily", 1001, 7)], offset=3500)
    ret = commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=sale.receipt_no,
        items=[ReturnItem(1, 2)],
        approver=c.manager,
        now=c.now,
    )
    r = any_receipt(c.db, ret.return_no, c.now)
    assert r.kind == "return" and r.member is not None
    assert r.member.restored_points == ret.quote.points_restored == 1000
    assert r.member.reversed_points == ret.quote.points_reversed
    assert r.refund_fen == ret.quote.refund_fen
    assert r.member.balance == ret.balance == c.balance(m.id)


# Gifts ---------------------------------------------------------------------------------------
def test_gift_receipt_with_an_issued_coupon_code(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    import_catalogue(c.db, actor=c.manager, text=SUPERMARKET_GIFTS, now=c.now)
    c.give(m.id, 1500)
    red = redeem_gift(c.db, actor=c.cashier, member_id=m.id, gift_code="coupon-30-100", now=c.now)
    r = gift_receipt(c.db, red.redemption_no, c.now)
    assert (r.kind, r.number) == ("gift", red.redemption_no)
    (gift,) = r.gifts
    assert gift.issued_code == red.issued_code is not None
    assert (gift.name, gift.name_en, gift.points) == ("满100减30优惠券", "30 off 100 coupon", 1500)
    assert (gift.coupon_value_fen, gift.coupon_min_spend_fen) == (3000, 10000)
    # valid 30 days from 2026-03-02 10:00: through 2026-04-01 (local)
    assert gift.valid_until == dt.date(2026, 4, 1)
    assert not gift.cancelled
    assert r.member is not None and r.member.balance == red.balance == 50
    assert r.payments == () and r.total_fen == 0


def test_gift_with_cash_part_has_a_cash_payment(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    import_catalogue(c.db, actor=c.manager, text=SUPERMARKET_GIFTS, now=c.now)
    c.give(m.id, 300)
    red = redeem_gift(c.db, actor=c.cashier, member_id=m.id, gift_code="bag", now=c.now)
    r = any_receipt(c.db, red.redemption_no, c.now)
    assert r.kind == "gift"
    assert r.gifts[0].issued_code is None and r.gifts[0].cash_fen == 200
    assert r.payments == (ReceiptPayment("cash", 200, 200, 0),)
    assert r.total_fen == 200 and r.cash_paid


def test_cancelled_gift_receipt(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    import_catalogue(c.db, actor=c.manager, text=SUPERMARKET_GIFTS, now=c.now)
    c.give(m.id, 500)
    red = redeem_gift(c.db, actor=c.cashier, member_id=m.id, gift_code="tissue", now=c.now)
    assert gift_receipt(c.db, red.redemption_no, c.now).gifts[0].cancelled is False
    cancel_redemption(
        c.db, actor=c.cashier, redemption_no=red.redemption_no, reason="wrong gift", now=c.now
    )
    r = gift_receipt(c.db, red.redemption_no, c.now)
    assert r.gifts[0].cancelled is True
    assert r.member is not None and r.member.balance == c.balance(m.id) == 550


# Balance slips and expiry --------------------------------------------------------------------
def test_balance_slip_shows_points_expiring_within_30_days(supermarket: Counter) -> None:
    c = supermarket  # calendar-year expiry plus one year of grace
    m = c.register()
    c.sell(m.id, [CartLine("general", 30000)])  # 50 + 300 points earned in 2026
    c.sell(m.id, [CartLine("general", 20000)], now=at(2027, 3, 1, 10))  # 200 in 2027
    # the 2026 points expire at 2028-01-01 00:00 Shanghai: shown as "by 2027-12-31"
    early = balance_slip(c.db, m.id, at(2027, 11, 30, 23, 59), staff="收银员 (1)")
    assert early.member is not None
    assert (early.member.balance, early.member.expiring_points) == (550, 0)
    assert early.member.expiring_on is None
    slip = balance_slip(c.db, m.id, at(2027, 12, 10, 9), staff="收银员 (1)")
    assert (slip.kind, slip.number, slip.cashier) == ("balance", "", "收银员 (1)")
    assert slip.at == at(2027, 12, 10, 9)
    assert slip.member is not None
    assert (slip.member.balance, slip.member.expiring_points) == (550, 350)
    assert slip.member.expiring_on == dt.date(2027, 12, 31)


def test_expiry_date_is_the_local_date(hotel: Counter) -> None:
    c = hotel  # points expire 24 months after they were earned, to the minute
    # 07:30 in Shanghai is still the previous day in UTC
    m = c.register(now=at(2026, 3, 2, 7, 30))  # 200 sign-up points
    c.give(m.id, 800, now=at(2026, 3, 20, 7, 30))
    slip = balance_slip(c.db, m.id, at(2028, 2, 15, 12))
    assert slip.member is not None
    assert (slip.member.balance, slip.member.expiring_points) == (1000, 200)
    assert slip.member.expiring_on == dt.date(2028, 3, 2)
    later = balance_slip(c.db, m.id, at(2028, 3, 2, 8))  # the first lot is gone
    assert later.member is not None
    assert (later.member.balance, later.member.expiring_points) == (800, 800)
    assert later.member.expiring_on == dt.date(2028, 3, 20)


def test_balance_slip_for_unknown_member(supermarket: Counter) -> None:
    with pytest.raises(NotFound):
        balance_slip(supermarket.db, str(uuid.uuid4()), QUIET_DAY)


# Numbers -------------------------------------------------------------------------------------
def test_any_receipt_dispatches_by_number(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    import_catalogue(c.db, actor=c.manager, text=SUPERMARKET_GIFTS, now=c.now)
    c.give(m.id, 500)
    sale = c.sell(m.id, [CartLine("general", 5000, 2)])
    ret = commit_return(
        c.db, actor=c.cashier, receipt_no=sale.receipt_no, items=[ReturnItem(1, 1)], now=c.now
    )
    red = redeem_gift(c.db, actor=c.cashier, member_id=m.id, gift_code="tissue", now=c.now)
    numbers = {sale.receipt_no, ret.return_no, red.redemption_no}
    assert len(numbers) == 3
    assert any_receipt(c.db, sale.receipt_no, c.now) == sale_receipt(c.db, sale.receipt_no, c.now)
    assert any_receipt(c.db, ret.return_no, c.now) == return_receipt(c.db, ret.return_no, c.now)
    assert any_receipt(c.db, red.redemption_no, c.now).kind == "gift"
    # typed in lower case with spaces around, as a cashier might
    assert any_receipt(c.db, f"  {sale.receipt_no.lower()} ", c.now).number == sale.receipt_no


@pytest.mark.parametrize(
    "number",
    [
        "",
        "   ",
        "S" * (MAX_NUMBER_LENGTH + 1),
        "S01\x00D1",
        "S01\x1b@",
        "S01-D1\n000001",
        None,
        12345,
    ],
    ids=["empty", "blank", "too-long", "nul", "escape", "newline", "none", "int"],
)
@pytest.mark.parametrize(
    "reader", [sale_receipt, return_receipt, gift_receipt, any_receipt], ids=lambda f: f.__name__
)
def test_bad_numbers_are_invalid_input(
    supermarket: Counter, reader: object, number: object
) -> None:
    with pytest.raises(InvalidInput) as info:
        reader(supermarket.db, number, QUIET_DAY)  # type: ignore[operator]
    assert info.value.field == "receipt_no"


@pytest.mark.parametrize(
    "reader", [sale_receipt, return_receipt, gift_receipt, any_receipt], ids=lambda f: f.__name__
)
def test_unknown_numbers_are_not_found(supermarket: Counter, reader: object) -> None:
    supermarket.sell(None, [CartLine("general", 100)])
    with pytest.raises(NotFound):
        reader(supermarket.db, "S01-D1-999999", QUIET_DAY)  # type: ignore[operator]
    # the longest acceptable number is looked up, not refused
    with pytest.raises(NotFound):
        reader(supermarket.db, "S" * MAX_NUMBER_LENGTH, QUIET_DAY)  # type: ignore[operator]


def test_receipt_time_is_local(supermarket: Counter) -> None:
    c = supermarket
    sale = c.sell(None, [CartLine("general", 100)], now=at(2026, 3, 2, 7, 15))
    r = sale_receipt(c.db, sale.receipt_no, c.now)
    assert r.at.tzinfo is not None
    assert r.at.astimezone(SHANGHAI).replace(tzinfo=None) == dt.datetime(2026, 3, 2, 7, 15)
    assert r.at.strftime("%Y-%m-%d %H:%M") == "2026-03-02 07:15"


def test_virtual_gift_receipt_shows_how_long_the_code_is_valid(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    import_catalogue(c.db, actor=c.manager, text=SUPERMARKET_GIFTS, now=c.now)
    c.give(m.id, 1200)
    red = redeem_gift(c.db, actor=c.cashier, member_id=m.id, gift_code="video-month", now=c.now)
    assert red.issued_code is not None and red.valid_until is not None
    gift = gift_receipt(c.db, red.redemption_no, c.now).gifts[0]
    assert gift.issued_code == red.issued_code
    assert gift.valid_until == dt.date(2026, 5, 31)  # 90 days from 2026-03-02 10:00

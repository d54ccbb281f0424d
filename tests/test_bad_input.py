"""Bad input at the counter: a typed error naming the field, a clear message, nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

import pytest

from pos_app.errors import (
    Conflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    PosError,
    StaleQuote,
)
from pos_app.money import parse_yuan
from pos_app.services.checkout import (
    CartLine,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.members import add_card, find_by_card, find_by_phone, register_member
from pos_app.services.returns import ReturnItem, commit_return
from tests.conftest import QUIET_DAY, Counter

E = TypeVar("E", bound=PosError)


def refused(counter: Counter, error: type[E], call: Callable[[], object], field: str | None) -> E:
    """Run ``call``; it must raise exactly ``error`` about ``field`` and write nothing."""
    before = counter.counts()
    with pytest.raises(error) as err:
        call()
    assert type(err.value) is error
    assert err.value.field == field
    assert err.value.message.strip()
    assert counter.counts() == before
    return err.value


def checkout(
    counter: Counter,
    member_id: str | None,
    lines: Sequence[CartLine],
    payments: Sequence[PaymentInput],
    *,
    offset: int = 0,
    expected_total_fen: int | None = None,
) -> SaleResult:
    return commit_checkout(
        counter.db,
        actor=counter.cashier,
        sale_id=str(uuid.uuid4()),
        member_id=member_id,
        lines=lines,
        offset_points=offset,
        payments=payments,
        now=QUIET_DAY,
        expected_total_fen=expected_total_fen,
    )


def rich_member(counter: Counter) -> str:
    member = counter.register()
    counter.give(member.id, 950)
    return member.id


# Cart lines --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "price",
    [-100, 0, 12.5, 1_000_000_001, "1200", None, True, Decimal("12.00")],
    ids=["negative", "zero", "float", "absurd", "text", "none", "bool", "decimal"],
)
def test_bad_unit_price_is_refused(supermarket: Counter, price: object) -> None:
    member = supermarket.register()
    line = CartLine("general", price)  # type: ignore[arg-type]
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, member.id, [line], [PaymentInput("cash", 1200)]),
        "lines[0].price",
    )
    assert "amount" in err.message
    with pytest.raises(InvalidInput):
        quote_checkout(supermarket.db, member_id=member.id, lines=[line], now=QUIET_DAY)


@pytest.mark.parametrize(
    "qty",
    [0, -1, True, 10000, 1.5, "2"],
    ids=["zero", "negative", "bool", "10000", "float", "text"],
)
def test_bad_quantity_is_refused(supermarket: Counter, qty: object) -> None:
    line = CartLine("general", 100, qty)  # type: ignore[arg-type]
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, [line], [PaymentInput("cash", 100)]),
        "lines[0].qty",
    )
    assert err.message == "quantity must be 1 to 9999"


def test_bad_second_line_is_named(supermarket: Counter) -> None:
    lines = [CartLine("general", 100), CartLine("general", -5)]
    refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, lines, [PaymentInput("cash", 95)]),
        "lines[1].price",
    )


def test_absurd_sale_total_is_refused(supermarket: Counter) -> None:
    line = CartLine("general", 200_000_000, 6)  # 12 million yuan
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, [line], [PaymentInput("cash", 1_200_000_000)]),
        "lines",
    )
    assert "too large" in err.message


def test_empty_cart_is_refused(supermarket: Counter) -> None:
    err = refused(supermarket, InvalidInput, lambda: checkout(supermarket, None, [], []), "lines")
    assert err.message == "the sale has no lines"


@pytest.mark.parametrize("category", ["", "   ", None])
def test_line_without_category_is_refused(supermarket: Counter, category: object) -> None:
    line = CartLine(category, 100)  # type: ignore[arg-type]
    refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, [line], [PaymentInput("cash", 100)]),
        "lines[0].category",
    )


# Payments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "amount",
    [-1000, 0, 10.0, 1_000_000_001, "10.00", None],
    ids=["negative", "zero", "float", "absurd", "text", "none"],
)
def test_bad_payment_amount_is_refused(supermarket: Counter, amount: object) -> None:
    payment = PaymentInput("cash", amount)  # type: ignore[arg-type]
    refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, [CartLine("general", 1000)], [payment]),
        "payments[0].amount",
    )


def test_unknown_payment_method_is_refused(supermarket: Counter) -> None:
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket, None, [CartLine("general", 1000)], [PaymentInput("bitcoin", 1000)]
        ),
        "payments[0].method",
    )
    assert err.message == "unknown payment method 'bitcoin'"


@pytest.mark.parametrize(
    "payments",
    [
        [PaymentInput("cash", 500)],
        [PaymentInput("cash", 500), PaymentInput("wechat", 600)],
        [],
    ],
    ids=["short", "over", "none"],
)
def test_payments_must_add_up_to_the_amount_due(
    supermarket: Counter, payments: list[PaymentInput]
) -> None:
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, [CartLine("general", 1000)], payments),
        "payments",
    )
    assert "the amount due is 10.00" in err.message


def test_cash_tendered_below_the_amount_is_refused(supermarket: Counter) -> None:
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket,
            None,
            [CartLine("general", 1000)],
            [PaymentInput("cash", 1000, tendered_fen=500)],
        ),
        "payments[0].tendered",
    )
    assert err.message == "cash tendered is less than the amount"


@pytest.mark.parametrize("tendered", [-1, 20.0, "20"])
def test_bad_tendered_amount_is_refused(supermarket: Counter, tendered: object) -> None:
    payment = PaymentInput("cash", 1000, tendered_fen=tendered)  # type: ignore[arg-type]
    refused(
        supermarket,
        InvalidInput,
        lambda: checkout(supermarket, None, [CartLine("general", 1000)], [payment]),
        "payments[0].tendered",
    )


def test_only_cash_can_be_tendered_above_the_amount(supermarket: Counter) -> None:
    refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket,
            None,
            [CartLine("general", 1000)],
            [PaymentInput("card", 1000, tendered_fen=2000)],
        ),
        "payments[0]",
    )


def test_cash_change_is_recorded(supermarket: Counter) -> None:
    sale = checkout(
        supermarket,
        None,
        [CartLine("general", 1000)],
        [PaymentInput("cash", 1000, tendered_fen=5000)],
    )
    assert sale.change_fen == 4000


# Phone numbers and cards ----------------------------------------------------------------
BAD_PHONES = [
    "12345",
    "23812345678",
    "abc",
    "",
    "   ",
    "+1 415 555 0100",
    "138123456789",
    "1381234567",
]


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_malformed_phone_is_refused_at_registration(supermarket: Counter, phone: str) -> None:
    err = refused(supermarket, InvalidInput, lambda: supermarket.register(phone=phone), "phone")
    assert "phone" in err.message or "mobile" in err.message


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_malformed_phone_is_refused_at_lookup(supermarket: Counter, phone: str) -> None:
    supermarket.register()
    refused(
        supermarket,
        InvalidInput,
        lambda: find_by_phone(supermarket.db, phone, now=QUIET_DAY),
        "phone",
    )


def test_phone_error_messages_say_what_is_wrong(supermarket: Counter) -> None:
    messages = {}
    for phone in ("", "12345", "23812345678", "abc"):
        with pytest.raises(InvalidInput) as err:
            find_by_phone(supermarket.db, phone, now=QUIET_DAY)
        messages[phone] = err.value.message
    assert messages == {
        "": "enter a phone number",
        "12345": "a mobile number has 11 digits, '12345' has 5",
        "23812345678": "'23812345678' is not a Chinese mobile number",
        "abc": "'abc' is not a phone number",
    }


def test_non_text_phone_is_refused(supermarket: Counter) -> None:
    refused(
        supermarket,
        InvalidInput,
        lambda: supermarket.register(phone=13812345678),  # type: ignore[arg-type]
        "phone",
    )


BAD_CARDS = ["%%%", "", "ab", "DROP TABLE members;--", "8" * 33, "X" * 5000, "88 00?01", "卡12345"]


@pytest.mark.parametrize("card", BAD_CARDS)
def test_card_garbage_is_refused_at_lookup(supermarket: Counter, card: str) -> None:
    supermarket.register(card="8800001")
    refused(
        supermarket,
        InvalidInput,
        lambda: find_by_card(supermarket.db, card, now=QUIET_DAY),
        "card",
    )


@pytest.mark.parametrize("card", [c for c in BAD_CARDS if c])
def test_card_garbage_is_refused_at_registration(supermarket: Counter, card: str) -> None:
    refused(supermarket, InvalidInput, lambda: supermarket.register(card=card), "card")


@pytest.mark.parametrize("card", BAD_CARDS)
def test_card_garbage_is_refused_by_add_card(supermarket: Counter, card: str) -> None:
    member = supermarket.register()
    refused(
        supermarket,
        InvalidInput,
        lambda: add_card(
            supermarket.db, actor=supermarket.cashier, member_id=member.id, card=card, now=QUIET_DAY
        ),
        "card",
    )


def test_members_table_survives_sql_in_a_card(supermarket: Counter) -> None:
    supermarket.register()
    with pytest.raises(InvalidInput) as err:
        find_by_card(supermarket.db, "1'; DROP TABLE members;--", now=QUIET_DAY)
    assert "is not a card number" in err.value.message
    assert supermarket.counts()["members"] == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, None])
def test_bad_member_name_is_refused(supermarket: Counter, name: object) -> None:
    refused(
        supermarket,
        InvalidInput,
        lambda: register_member(
            supermarket.db,
            actor=supermarket.cashier,
            name=name,  # type: ignore[arg-type]
            phone="13812345678",
            now=QUIET_DAY,
        ),
        "name",
    )


# Members at checkout -------------------------------------------------------------------
def test_unknown_member_cannot_check_out(supermarket: Counter) -> None:
    refused(
        supermarket,
        NotFound,
        lambda: checkout(
            supermarket,
            str(uuid.uuid4()),
            [CartLine("general", 1000)],
            [PaymentInput("cash", 1000)],
        ),
        "member",
    )


def test_frozen_member_cannot_check_out(supermarket: Counter) -> None:
    member = supermarket.register()
    with supermarket.sql() as conn:
        conn.execute("UPDATE members SET status = 'frozen' WHERE id = ?", (member.id,))
        conn.commit()
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket, member.id, [CartLine("general", 1000)], [PaymentInput("cash", 1000)]
        ),
        "member",
    )
    assert err.message == "this membership is frozen"


# Offsets --------------------------------------------------------------------------------
def test_offset_without_member_is_refused(supermarket: Counter) -> None:
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket, None, [CartLine("general", 1000)], [PaymentInput("cash", 900)], offset=100
        ),
        "offset",
    )
    assert err.message == "a sale without a member cannot use points"


def test_offset_not_a_multiple_of_the_step_is_refused(supermarket: Counter) -> None:
    member_id = rich_member(supermarket)
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket,
            member_id,
            [CartLine("general", 10000)],
            [PaymentInput("cash", 9850)],
            offset=150,
        ),
        "offset",
    )
    assert err.message == "points are used in steps of 100"


def test_offset_above_available_points_is_refused(supermarket: Counter) -> None:
    member_id = rich_member(supermarket)  # 1000 points
    err = refused(
        supermarket,
        InsufficientPoints,
        lambda: checkout(
            supermarket,
            member_id,
            [CartLine("general", 100000)],
            [PaymentInput("cash", 98900)],
            offset=1100,
        ),
        "offset",
    )
    assert err.message == "the member has 1000 points, 1100 were asked"


def test_offset_above_half_the_bill_is_refused(supermarket: Counter) -> None:
    member_id = rich_member(supermarket)
    err = refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket,
            member_id,
            [CartLine("general", 1000)],
            [PaymentInput("cash", 400)],
            offset=600,
        ),
        "offset",
    )
    assert err.message == "at most 500 points can be used on this bill"


@pytest.mark.parametrize("offset", [-100, 100.0, "100"])
def test_offset_must_be_a_whole_number(supermarket: Counter, offset: object) -> None:
    member_id = rich_member(supermarket)
    refused(
        supermarket,
        InvalidInput,
        lambda: checkout(
            supermarket,
            member_id,
            [CartLine("general", 10000)],
            [PaymentInput("cash", 9900)],
            offset=offset,  # type: ignore[arg-type]
        ),
        "offset",
    )


def test_stale_quote_is_refused(supermarket: Counter) -> None:
    member = supermarket.register()
    err = refused(
        supermarket,
        StaleQuote,
        lambda: checkout(
            supermarket,
            member.id,
            [CartLine("general", 1000)],
            [PaymentInput("cash", 1000)],
            expected_total_fen=900,
        ),
        None,
    )
    assert err.message == "the amount due is now 10.00; check again"
    assert isinstance(err, Conflict)


# Returns ---------------------------------------------------------------------------------
def sold(counter: Counter) -> str:
    member = counter.register()
    return counter.sell(
        member.id, [CartLine("general", 1000, 2), CartLine("daily", 500)]
    ).receipt_no


def do_return(counter: Counter, receipt_no: str, items: list[ReturnItem]) -> object:
    return commit_return(
        counter.db,
        actor=counter.cashier,
        receipt_no=receipt_no,
        items=items,
        now=QUIET_DAY,
        approver=counter.manager,
    )


def test_returning_more_than_was_sold_is_refused(supermarket: Counter) -> None:
    receipt = sold(supermarket)
    err = refused(
        supermarket,
        InvalidInput,
        lambda: do_return(supermarket, receipt, [ReturnItem(1, 3)]),
        "items[0].qty",
    )
    assert err.message == "line 1: only 2 left to return"


def test_returning_more_than_is_left_after_a_partial_return_is_refused(
    supermarket: Counter,
) -> None:
    receipt = sold(supermarket)
    do_return(supermarket, receipt, [ReturnItem(1, 1)])
    err = refused(
        supermarket,
        InvalidInput,
        lambda: do_return(supermarket, receipt, [ReturnItem(1, 2)]),
        "items[0].qty",
    )
    assert err.message == "line 1: only 1 left to return"


def test_returning_the_same_line_twice_in_one_return_is_refused(supermarket: Counter) -> None:
    receipt = sold(supermarket)
    err = refused(
        supermarket,
        InvalidInput,
        lambda: do_return(supermarket, receipt, [ReturnItem(1, 1), ReturnItem(1, 1)]),
        "items[1].line_no",
    )
    assert err.message == "line 1 is listed twice"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([ReturnItem(3, 1)], "items[0].line_no"),
        ([ReturnItem(1, 0)], "items[0].qty"),
        ([ReturnItem(1, -1)], "items[0].qty"),
        ([ReturnItem(1, True)], "items[0].qty"),
        ([], "items"),
    ],
    ids=["no-such-line", "qty-zero", "qty-negative", "qty-bool", "nothing"],
)
def test_bad_return_items_are_refused(
    supermarket: Counter, items: list[ReturnItem], field: str
) -> None:
    receipt = sold(supermarket)
    refused(supermarket, InvalidInput, lambda: do_return(supermarket, receipt, items), field)


@pytest.mark.parametrize("receipt", ["S01-D1-999999", "nonsense"])
def test_unknown_receipt_is_not_found(supermarket: Counter, receipt: str) -> None:
    sold(supermarket)
    err = refused(
        supermarket,
        NotFound,
        lambda: do_return(supermarket, receipt, [ReturnItem(1, 1)]),
        "receipt_no",
    )
    assert receipt in err.message


def test_empty_receipt_is_refused(supermarket: Counter) -> None:
    refused(
        supermarket,
        InvalidInput,
        lambda: do_return(supermarket, "  ", [ReturnItem(1, 1)]),
        "receipt_no",
    )


# parse_yuan ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("12.5", 1250),
        ("￥1,200.00", 120000),
        ("¥ 3", 300),
        (" 0.01 ", 1),
        ("10000000", 1_000_000_000),
        (12, 1200),
        (0, 0),
        (Decimal("7.25"), 725),
    ],
)
def test_parse_yuan_accepts_typed_amounts(typed: str | int | Decimal, fen: int) -> None:
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize(
    "typed",
    ["1.234", "-1", "abc", 1.5, "", "NaN", "Infinity", "10000000.01", -3, True, None],
)
def test_parse_yuan_refuses_garbage(typed: object) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_yuan(typed, field="price")  # type: ignore[arg-type]
    assert err.value.field == "price"
    assert err.value.message


@pytest.mark.parametrize("typed", ["1e3", "1E2", "1_000", "5_0.00"])
def test_parse_yuan_refuses_exponents_and_underscores(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_yuan(typed)


def test_parse_yuan_says_why() -> None:
    reasons = {}
    for typed in ("1.234", "-1", "abc", 1.5):
        with pytest.raises(InvalidInput) as err:
            parse_yuan(typed)  # type: ignore[arg-type]
        reasons[typed] = err.value.message
    assert reasons == {
        "1.234": "an amount has at most two decimals (fen)",
        "-1": "amount cannot be negative",
        "abc": "'abc' is not an amount",
        1.5: "amounts must be given as text or whole numbers",
    }
